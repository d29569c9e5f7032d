"""The rules page: a dry run over recent comments before saving, and e-mail-verified trusted authors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.comments.models import Status
from service.extensions import db
from service.moderation import rulebook, trusted
from service.moderation.models import SiteRule
from service.moderation.rules import Rule
from tests.moderator_forms import csrf_token, post_form, signed_in


def saved_rules(site) -> list[tuple[str, str, str, bool]]:
    rows = db.session.scalars(select(SiteRule).where(SiteRule.site_id == site.id))
    return [(r.action, r.kind, r.pattern, r.whole_word) for r in rows]


def test_only_owners_manage_rules(app, site):
    moderator = signed_in(app, site, "mod@example.org")
    assert moderator.get("/moderate/sites/blog/rules").status_code == 403
    response = post_form(moderator, "/moderate/sites/blog/rules", {"kind": "word", "pattern": "x"})
    assert response.status_code == 403
    assert saved_rules(site) == []


def test_dry_run_shows_what_a_rule_would_catch_without_saving_it(owner_client, site, make_comment):
    make_comment(site, "Best casino bonus", status=Status.APPROVED)
    make_comment(site, "CASINO night!", status=Status.SPAM)
    make_comment(site, "I like casinos", status=Status.PENDING)
    make_comment(site, "nothing to see")
    response = post_form(
        owner_client,
        "/moderate/sites/blog/rules/dry-run",
        {
            "kind": "word",
            "pattern": "Casino",
            "action": "block",
            "whole_word": "on",
            "whole_word_sent": "1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "It would have caught 2 of the last 4 comments." in page
    assert "Best casino bonus" in page and "CASINO night!" in page
    assert "I like casinos" not in page
    assert saved_rules(site) == []

    loose = post_form(
        owner_client,
        "/moderate/sites/blog/rules/dry-run",
        {"kind": "word", "pattern": "casino", "whole_word_sent": "1"},
    )
    assert "It would have caught 3 of the last 4 comments." in loose.get_data(as_text=True)


def test_dry_run_looks_only_at_the_newest_comments(site, make_comment):
    make_comment(site, "old spam link http://spam.example/x")
    for index in range(3):
        make_comment(site, f"new comment {index}")
    result = rulebook.dry_run(site, Rule("domain", "spam.example"), window=3)
    assert result.checked == 3 and result.caught == []
    assert len(rulebook.dry_run(site, Rule("domain", "spam.example"), window=4).caught) == 1


@pytest.mark.parametrize(
    "form, expected",
    [
        (
            {"kind": "word", "pattern": "Viagra", "action": "block"},
            ("block", "word", "viagra", True),
        ),
        (
            {"kind": "domain", "pattern": "https://www.Spam.example/path", "action": "block"},
            ("block", "domain", "spam.example", True),
        ),
        (
            {"kind": "ip_range", "pattern": "203.0.113.7/24", "action": "block"},
            ("block", "ip_range", "203.0.113.0/24", True),
        ),
        (
            {"kind": "email", "pattern": "*@friends.example", "action": "allow"},
            ("allow", "email", "*@friends.example", True),
        ),
        (
            {"kind": "word", "pattern": "pill", "action": "block", "whole_word_sent": "1"},
            ("block", "word", "pill", False),
        ),
    ],
)
def test_saving_rules_normalises_them(owner_client, site, form, expected):
    response = post_form(owner_client, "/moderate/sites/blog/rules", form)
    assert response.status_code == 302
    assert saved_rules(site) == [expected]
    assert expected[2] in owner_client.get("/moderate/sites/blog/rules").get_data(as_text=True)


@pytest.mark.parametrize(
    "form",
    [
        {"kind": "ip_range", "pattern": "not an address"},
        {"kind": "domain", "pattern": "nodot"},
        {"kind": "colour", "pattern": "red"},
        {"kind": "word", "pattern": "   "},
        {"kind": "word", "pattern": "x", "action": "shrug"},
    ],
)
def test_invalid_rules_are_explained_not_saved(owner_client, site, form):
    for path in ("/moderate/sites/blog/rules", "/moderate/sites/blog/rules/dry-run"):
        response = post_form(owner_client, path, form)
        assert response.status_code == 422
        assert 'class="flash error"' in response.get_data(as_text=True)
    assert saved_rules(site) == []


def test_duplicate_rules_are_refused_and_rules_can_be_deleted(owner_client, site):
    form = {"kind": "word", "pattern": "spam"}
    post_form(owner_client, "/moderate/sites/blog/rules", form)
    assert post_form(owner_client, "/moderate/sites/blog/rules", form).status_code == 422
    rule = db.session.scalar(select(SiteRule))
    assert (
        post_form(owner_client, f"/moderate/sites/blog/rules/{rule.id}/delete").status_code == 302
    )
    assert saved_rules(site) == []


def test_trusted_author_is_trusted_only_after_confirming_the_emailed_link(
    app, owner_client, site, inbox
):
    response = post_form(
        owner_client,
        "/moderate/sites/blog/trusted",
        {"email": "Regular@Example.net", "name": "Reg"},
    )
    assert response.status_code == 302
    assert "waiting for confirmation" in owner_client.get("/moderate/sites/blog/rules").get_data(
        as_text=True
    )
    assert not trusted.is_trusted(site.id, "regular@example.net")

    path = inbox.link_to("regular@example.net")
    commenter = app.test_client()
    confirm_page = commenter.get(path)
    assert confirm_page.status_code == 200
    assert "Yes, this is my address" in confirm_page.get_data(as_text=True)
    assert not trusted.is_trusted(site.id, "regular@example.net"), "a GET never acts"

    done = commenter.post(path, data={"csrf_token": csrf_token(commenter, path)})
    assert done.status_code == 200
    assert trusted.is_trusted(site.id, "REGULAR@example.net")
    assert not trusted.is_trusted(site.id, "other@example.net")

    reused = commenter.get(path)
    assert reused.status_code == 400
    assert "already confirmed" in reused.get_data(as_text=True)


def test_tampered_and_expired_trust_links_are_refused(app, owner_client, site, inbox):
    post_form(owner_client, "/moderate/sites/blog/trusted", {"email": "regular@example.net"})
    path = inbox.link_to("regular@example.net")
    tampered = app.test_client().get(path[:-4] + "AAAA")
    assert tampered.status_code == 400
    assert "not valid" in tampered.get_data(as_text=True)
    app.config["TRUSTED_AUTHOR_LINK_MAX_AGE"] = -1
    expired = app.test_client().get(path)
    assert expired.status_code == 400
    assert "expired" in expired.get_data(as_text=True)
    assert not trusted.is_trusted(site.id, "regular@example.net")


def test_trusted_authors_can_be_removed_and_bad_addresses_refused(owner_client, site, inbox):
    assert (
        post_form(
            owner_client, "/moderate/sites/blog/trusted", {"email": "not-an-address"}
        ).status_code
        == 422
    )
    post_form(owner_client, "/moderate/sites/blog/trusted", {"email": "regular@example.net"})
    author = db.session.scalar(select(trusted.TrustedAuthor))
    assert (
        post_form(owner_client, f"/moderate/sites/blog/trusted/{author.id}/remove").status_code
        == 302
    )
    assert db.session.scalar(select(trusted.TrustedAuthor)) is None
