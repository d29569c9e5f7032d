"""`flask privacy export|erase` and the retention purge of IP prefixes and user agents."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from service.comments.models import Comment, Status
from service.extensions import db
from service.moderation.models import ModerationEvent, SiteRule, TrustedAuthor
from service.privacy import retention
from service.replies.models import ReplySubscription, SuppressedAddress
from service.timeutil import utcnow
from tests.privacy_support import places_holding

ADDRESS = "Erin.Example@Mail.Example"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def erin_everywhere(site, make_comment, make_moderator):
    """The address in every place the service can hold it."""
    moderator, _ = make_moderator(site)
    other = make_comment(site, "Welcome, all.", status=Status.APPROVED, author_name="Host")
    erin = make_comment(
        site,
        "I am Erin, write to me.",
        status=Status.APPROVED,
        parent_id=other.id,
        author_name="Erin",
        email=ADDRESS,
        website="https://erin.example/",
        ip="192.0.2.0",
        user_agent="ErinBrowser/1.0",
        signals={"form_token": "ok"},
    )
    reply = make_comment(
        site,
        f"Erin, is {ADDRESS.lower()} still yours?",
        status=Status.APPROVED,
        parent_id=erin.id,
        author_name="Quoter",
    )
    make_comment(site, "Pending by Erin", status=Status.PENDING, email=ADDRESS.lower())
    db.session.add_all(
        [
            ModerationEvent(
                comment_id=erin.id,
                site_id=site.id,
                actor_id=moderator.id,
                from_status="pending",
                to_status="approved",
                reason=f"known reader {ADDRESS.lower()}",
            ),
            TrustedAuthor(site_id=site.id, email=ADDRESS.lower(), name="Erin"),
            SiteRule(site_id=site.id, kind="email", pattern=ADDRESS.lower(), action="allow"),
            ReplySubscription(site_id=site.id, comment_id=erin.id, email=ADDRESS.lower()),
            SuppressedAddress(email=ADDRESS.lower(), reason="550 no such user"),
        ]
    )
    db.session.commit()
    return {"other": other, "erin": erin, "reply": reply}


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["privacy", *args], catch_exceptions=False)


def test_export_lists_comments_subscriptions_and_network_data(app, erin_everywhere):
    result = cli(app, "export", ADDRESS)

    document = json.loads(result.stdout)
    assert document["email"] == ADDRESS.lower()
    texts = {c["text"] for c in document["comments"]}
    assert texts == {"I am Erin, write to me.", "Pending by Erin"}
    mine = next(c for c in document["comments"] if c["author"] == "Erin")
    assert mine["ip_prefix"] == "192.0.2.0" and mine["user_agent"] == "ErinBrowser/1.0"
    assert mine["page"] == "/post" and mine["website"] == "https://erin.example/"
    assert document["reply_subscriptions"][0]["confirmed"] is None
    assert document["trusted_author"][0]["name"] == "Erin"
    assert document["mail_suppressed"]["reason"] == "550 no such user"
    assert document["site_rules"] == [{"site": 1, "kind": "email", "action": "allow"}]


def test_erase_leaves_the_address_nowhere_and_the_thread_still_renders(
    app, client, erin_everywhere
):
    assert places_holding(ADDRESS)  # the fixture really put it everywhere

    result = cli(app, "erase", ADDRESS, "--yes")

    assert "comments anonymised: 2" in result.output
    assert places_holding(ADDRESS) == []
    assert places_holding("ErinBrowser") == [] and places_holding("erin.example/") == []
    erin = db.session.get(Comment, erin_everywhere["erin"].id)
    assert (erin.text, erin.author_name, erin.ip) == ("[deleted]", "", "")
    assert erin.status == Status.APPROVED and erin.parent_id == erin_everywhere["other"].id
    assert db.session.scalar(select(func.count()).select_from(ReplySubscription)) == 0
    assert db.session.scalar(select(func.count()).select_from(TrustedAuthor)) == 0
    audit = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.reason == "personal data erased on request")
    ).all()
    assert {event.comment_id for event in audit} >= {erin.id}

    thread = client.get("/api/v1/sites/blog/threads?uri=/post").get_json()
    by_id = {c["id"]: c for c in thread["comments"]}
    assert by_id[erin.id]["html"] == "<p>[deleted]</p>"
    assert by_id[erin_everywhere["reply"].id]["parent_id"] == erin.id  # shape kept
    page = client.get("/t/blog?uri=/post")
    assert page.status_code == 200 and "[deleted]" in page.get_data(as_text=True)


def test_erase_refuses_something_that_is_not_an_address(app, site):
    result = app.test_cli_runner().invoke(args=["privacy", "erase", "nobody", "--yes"])

    assert result.exit_code == 1 and "Give one e-mail address" in result.output


def test_purge_blanks_network_data_past_each_sites_retention(app, make_site, make_comment):
    default_site = make_site("default")
    short_site = make_site("short")
    retention.set_retention_days(short_site, 7)
    network = {"ip": "198.51.100.0", "user_agent": "UA"}
    old_default = make_comment(
        default_site, "old", created_at=utcnow() - timedelta(days=91), **network
    )
    young_default = make_comment(
        default_site, "young", created_at=utcnow() - timedelta(days=30), **network
    )
    old_short = make_comment(short_site, "old", created_at=utcnow() - timedelta(days=8), **network)

    assert retention.purge_network_data() == 2

    assert (old_default.ip, old_default.user_agent) == ("", "")
    assert (young_default.ip, young_default.user_agent) == ("198.51.100.0", "UA")
    assert (old_short.ip, old_short.user_agent) == ("", "")
    assert retention.purge_network_data() == 0  # nothing left to do: idempotent


def test_retention_setting_is_validated(app, site):
    bad = app.test_cli_runner().invoke(args=["privacy", "retention", "blog", "0"])
    good = app.test_cli_runner().invoke(args=["privacy", "retention", "blog", "30"])

    assert bad.exit_code == 1 and "between 1 and 3650 days" in bad.output
    assert "keeps IP prefixes and user agents 30 days" in good.output


def test_purge_forgets_subscriptions_nobody_confirmed(app, site, make_comment):
    comment = make_comment(site, "mine", email="x@example.org")
    stale = ReplySubscription(
        site_id=site.id,
        comment_id=comment.id,
        email="x@example.org",
        created_at=utcnow() - timedelta(days=31),
    )
    confirmed = ReplySubscription(
        site_id=site.id,
        comment_id=comment.id,
        email="y@example.org",
        created_at=utcnow() - timedelta(days=400),
        confirmed_at=utcnow() - timedelta(days=399),
    )
    db.session.add_all([stale, confirmed])
    db.session.commit()

    retention.purge_network_data()

    assert db.session.scalars(select(ReplySubscription.email)).all() == ["y@example.org"]


def test_the_owner_downloads_this_sites_data_about_an_address(
    owner_client, moderator_client, erin_everywhere, make_site, make_comment
):
    elsewhere = make_site("elsewhere")
    make_comment(elsewhere, "On another site", email=ADDRESS)
    token = CSRF.search(owner_client.get("/moderate/sites/blog/privacy").get_data(as_text=True))

    answer = owner_client.post(
        "/moderate/sites/blog/privacy", data={"email": ADDRESS, "csrf_token": token.group(1)}
    )

    document = json.loads(answer.data)
    assert document["site"] == "blog"
    assert {c["text"] for c in document["comments"]} == {
        "I am Erin, write to me.",
        "Pending by Erin",
    }
    assert document["mail_suppressed"] is None  # server-wide, not the site's
    assert moderator_client.get("/moderate/sites/blog/privacy").status_code == 403


def test_the_owner_page_refuses_a_non_address(owner_client, site):
    token = CSRF.search(owner_client.get("/moderate/sites/blog/privacy").get_data(as_text=True))

    answer = owner_client.post(
        "/moderate/sites/blog/privacy", data={"email": "nobody", "csrf_token": token.group(1)}
    )

    assert answer.status_code == 422 and "Give one e-mail address" in answer.get_data(as_text=True)


def test_the_owner_sets_retention_and_the_reply_mail_switch(owner_client, site):
    from service.replies.services import enabled

    token = CSRF.search(owner_client.get("/moderate/sites/blog/privacy").get_data(as_text=True))
    form = {"retention_days": "30", "csrf_token": token.group(1)}

    assert owner_client.post("/moderate/sites/blog/privacy/settings", data=form).status_code == 302
    db.session.refresh(site)
    assert retention.retention_days(site) == 30 and not enabled(site)

    bad = owner_client.post(
        "/moderate/sites/blog/privacy/settings",
        data={**form, "retention_days": "0", "reply_mail": "on"},
    )
    assert bad.status_code == 422 and "between 1 and 3650 days" in bad.get_data(as_text=True)
    nan = owner_client.post(
        "/moderate/sites/blog/privacy/settings", data={**form, "retention_days": "x"}
    )
    assert nan.status_code == 422
