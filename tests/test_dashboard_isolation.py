"""A moderator of site A can neither see nor change anything of site B, in the UI or the API.

Every dashboard route is listed here; `test_every_dashboard_route_is_covered` fails when a
new route is added without an isolation case.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from service.accounts import services as accounts
from service.accounts.models import Role
from service.comments.models import Status
from service.extensions import db
from service.moderation import trusted
from service.moderation.models import ModerationEvent, SiteRule
from tests.moderator_forms import post_form, signed_in

SECRET = "site B secret comment"


@pytest.fixture
def world(app, make_site, make_comment, make_moderator):
    """Alice owns site A; Bob owns site B, which holds a comment, a rule, a trusted author."""
    site_a = make_site("alpha", origins=["https://a.example"])
    site_b = make_site("bravo", origins=["https://b.example"])
    make_comment(site_a, "site A comment", spam_score=0.2)
    comment = make_comment(site_b, SECRET, spam_score=0.3, email="secret@b.example")
    bob, bob_token = make_moderator(site_b, "bob@b.example", Role.OWNER)
    rule = SiteRule(site_id=site_b.id, kind="word", pattern="bravo-only", action="block")
    author = trusted.TrustedAuthor(site_id=site_b.id, email="friend@b.example")
    db.session.add_all([rule, author])
    db.session.add(
        ModerationEvent(
            comment_id=comment.id,
            site_id=site_b.id,
            actor_id=bob.id,
            from_status="received",
            to_status="pending",
            reason="bravo audit reason",
        )
    )
    db.session.commit()
    alice_client = signed_in(app, site_a, "alice@a.example", Role.OWNER)
    alice_token = accounts.issue_api_token(accounts.get_or_create_moderator("alice@a.example"))
    return SimpleNamespace(
        a=site_a,
        b=site_b,
        comment=comment,
        rule=rule,
        author=author,
        bob_token_id=bob.tokens[0].id,
        bob_membership_id=bob.memberships[0].id,
        bob_token=bob_token,
        client=alice_client,
        token=alice_token,
    )


def unchanged(w) -> bool:
    db.session.expire_all()
    return (
        db.session.get(type(w.comment), w.comment.id).status == Status.PENDING
        and db.session.get(type(w.comment), w.comment.id).text == SECRET
        and db.session.get(SiteRule, w.rule.id) is not None
        and db.session.get(trusted.TrustedAuthor, w.author.id) is not None
        and db.session.get(type(w.b), w.b.id).name == "Bravo"
        and accounts.get_site("bravo").allowed_origins == ["https://b.example"]
        and {m.moderator.email for m in w.b.memberships} == {"bob@b.example"}
    )


# (endpoint, method, path template, form data, statuses that count as "refused")
UI_CASES = [
    ("dashboard.queue", "GET", "/moderate/queue?site=bravo", {}, {422}),
    ("dashboard.edit", "GET", "/moderate/comments/{comment}/edit", {}, {404}),
    ("dashboard.edit", "POST", "/moderate/comments/{comment}/edit", {"text": "pwned"}, {404}),
    ("dashboard.audit", "GET", "/moderate/audit?site=bravo", {}, {422}),
    ("dashboard.shares", "GET", "/moderate/shares?site=bravo", {}, {404}),
    ("dashboard.settings", "GET", "/moderate/sites/bravo/settings", {}, {404}),
    (
        "dashboard.settings",
        "POST",
        "/moderate/sites/bravo/settings",
        {
            "name": "pwned",
            "allowed_origins": "https://evil.example",
            "moderation_policy": "post_moderation",
            "approve_below": "0.5",
            "spam_at": "0.9",
        },
        {404},
    ),
    ("dashboard.rules", "GET", "/moderate/sites/bravo/rules", {}, {404}),
    (
        "dashboard.dry_run_rule",
        "POST",
        "/moderate/sites/bravo/rules/dry-run",
        {"kind": "word", "pattern": "secret"},
        {404},
    ),
    (
        "dashboard.add_rule",
        "POST",
        "/moderate/sites/bravo/rules",
        {"kind": "word", "pattern": "x"},
        {404},
    ),
    ("dashboard.delete_rule", "POST", "/moderate/sites/bravo/rules/{rule}/delete", {}, {404}),
    ("dashboard.delete_rule", "POST", "/moderate/sites/alpha/rules/{rule}/delete", {}, {404}),
    (
        "dashboard.add_trusted",
        "POST",
        "/moderate/sites/bravo/trusted",
        {"email": "x@y.example"},
        {404},
    ),
    (
        "dashboard.remove_trusted",
        "POST",
        "/moderate/sites/bravo/trusted/{author}/remove",
        {},
        {404},
    ),
    (
        "dashboard.remove_trusted",
        "POST",
        "/moderate/sites/alpha/trusted/{author}/remove",
        {},
        {404},
    ),
    (
        "dashboard.add_member",
        "POST",
        "/moderate/sites/bravo/members",
        {"email": "alice@a.example", "role": "owner"},
        {404},
    ),
    (
        "dashboard.remove_member",
        "POST",
        "/moderate/sites/bravo/members/{bob_membership}/remove",
        {},
        {404},
    ),
    (
        "dashboard.remove_member",
        "POST",
        "/moderate/sites/alpha/members/{bob_membership}/remove",
        {},
        {404},
    ),
    ("accounts.revoke_token", "POST", "/moderate/tokens/{bob_token}/revoke", {}, {404}),
    ("dashboard.bulk", "POST", "/moderate/bulk", {"action": "approve", "ids": "{comment}"}, {302}),
    (
        "dashboard.bulk",
        "POST",
        "/moderate/bulk",
        {"action": "delete", "scope": "all", "site": "bravo"},
        {302},
    ),
] + [
    ("dashboard.act", "POST", f"/moderate/comments/{{comment}}/{action}", {}, {404})
    for action in ("approve", "reject", "spam", "ham", "delete")
]

# Pages that list comments or events: site B's data must never appear on them.
LISTING_PAGES = [
    "/moderate/",
    "/moderate/queue",
    "/moderate/queue?status=pending&q=secret",
    "/moderate/queue?email=secret",
    "/moderate/audit",
    "/moderate/audit?actor=bob@b.example",
    "/moderate/shares",
    "/moderate/tokens",
    "/moderate/sites/alpha/rules",
    "/moderate/sites/alpha/settings",
]
# Reached without a session by design: sign-in, reset and the commenter's confirmation link
# carry no site data until a signed token proves who is asking.
PUBLIC_ENDPOINTS = {
    "accounts.login",
    "accounts.logout",
    "accounts.forgot_password",
    "accounts.reset_password",
    "dashboard.confirm_trusted",
}
LISTING_ENDPOINTS = {
    "dashboard.index",
    "dashboard.queue",
    "dashboard.audit",
    "accounts.tokens",
    "accounts.create_token",
    "dashboard.undo",
}


def fill(template: str, w) -> str:
    return template.format(
        comment=w.comment.id,
        rule=w.rule.id,
        author=w.author.id,
        bob_token=w.bob_token_id,
        bob_membership=w.bob_membership_id,
    )


@pytest.mark.parametrize(
    "endpoint, method, path, data, refused", UI_CASES, ids=[f"{c[1]} {c[2]}" for c in UI_CASES]
)
def test_ui_route_refuses_other_sites(world, endpoint, method, path, data, refused):
    path = fill(path, world)
    data = {key: fill(value, world) for key, value in data.items()}
    response = world.client.get(path) if method == "GET" else post_form(world.client, path, data)
    assert response.status_code in refused
    assert SECRET not in response.get_data(as_text=True)
    assert "bravo-only" not in response.get_data(as_text=True)
    assert unchanged(world)


@pytest.mark.parametrize("path", LISTING_PAGES)
def test_listing_pages_never_show_other_sites(world, path):
    response = world.client.get(path, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for leaked in (
        SECRET,
        "secret@b.example",
        "bravo audit reason",
        "bravo-only",
        "friend@b.example",
    ):
        assert leaked not in page


def test_undo_cannot_replay_an_entry_for_another_sites_comment(world):
    with world.client.session_transaction() as session:
        session["undo"] = [
            {"a": "approve", "to": "pending", "from": {"approved": [world.comment.id]}}
        ]
    post_form(world.client, "/moderate/undo")
    assert unchanged(world)


def test_creating_a_token_gives_no_rights_on_other_sites(world):
    post_form(world.client, "/moderate/tokens", {"label": "mine"})
    assert unchanged(world)


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/v1/sites/bravo/queue"),
        ("GET", "/api/v1/sites/bravo/queue?status=spam"),
        *[
            ("POST", f"/api/v1/comments/{{comment}}/{a}")
            for a in ("approve", "reject", "spam", "ham", "delete")
        ],
    ],
)
def test_api_refuses_other_sites(world, method, path):
    headers = {"Authorization": f"Bearer {world.token}"}
    response = world.client.open(fill(path, world), method=method, headers=headers)
    assert response.status_code in (403, 404)
    assert SECRET not in response.get_data(as_text=True)
    assert unchanged(world)


def test_every_dashboard_route_is_covered(app):
    covered = {case[0] for case in UI_CASES} | PUBLIC_ENDPOINTS | LISTING_ENDPOINTS
    endpoints = {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("dashboard.")
    }
    assert endpoints - covered == set()
