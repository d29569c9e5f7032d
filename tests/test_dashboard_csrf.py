"""Every state-changing dashboard route refuses a POST without a valid CSRF token.

The list of routes comes from the app's URL map, so a new POST route is tested automatically.
"""

from __future__ import annotations

import pytest

from service import create_app
from service.accounts import passwords
from service.accounts.models import ApiToken, Role
from service.comments.models import Status
from service.extensions import db
from service.moderation import trusted
from service.moderation.models import SiteRule
from tests.moderator_forms import csrf_token, post_form, signed_in


def dashboard_post_rules() -> list[str]:
    app = create_app({"TALKBACK_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("dashboard.") and "POST" in rule.methods
    )


@pytest.fixture
def world(app, site, make_comment):
    client = signed_in(app, site, "owner@example.org", Role.OWNER)
    moderator = passwords.find_moderator("owner@example.org")
    comment = make_comment(site, "untouched")
    rule = SiteRule(site_id=site.id, kind="word", pattern="casino", action="block")
    author = trusted.TrustedAuthor(site_id=site.id, email="friend@example.org")
    token = ApiToken(moderator_id=moderator.id, token_hash="0" * 64)
    db.session.add_all([rule, author, token])
    db.session.commit()
    values = {
        "comment_id": comment.id,
        "action": "approve",
        "slug": site.slug,
        "rule_id": rule.id,
        "author_id": author.id,
        "token_id": token.id,
        "membership_id": moderator.memberships[0].id,
    }
    return client, moderator, comment, values, (rule, author, token)


def build(rule: str, values: dict, moderator, author) -> str:
    values = {
        **values,
        "token": trusted.make_verify_token(author)
        if "trusted" in rule
        else passwords.make_reset_token(moderator),
    }
    path = rule
    for key, value in values.items():
        for placeholder in (f"<id:{key}>", f"<int:{key}>", f"<{key}>"):
            path = path.replace(placeholder, str(value))
    return path


FORM = {
    "ids": "",
    "scope": "all",
    "text": "changed",
    "name": "Changed",
    "moderation_policy": "post_moderation",
    "approve_below": "0.1",
    "spam_at": "0.5",
    "kind": "word",
    "pattern": "newrule",
    "email": "owner@example.org",
    "password": "a long enough password",
    "confirm": "a long enough password",
    "label": "sneaky",
}


@pytest.mark.parametrize("rule", dashboard_post_rules())
@pytest.mark.parametrize("token", ["missing", "forged"])
def test_post_without_a_valid_token_is_refused(world, site, rule, token):
    client, moderator, comment, values, (site_rule, author, api_token) = world
    form = {**FORM, "ids": str(comment.id), "action": "approve"}
    if token == "forged":
        form["csrf_token"] = "IjAwMDAi.forged.token"
    hash_before = moderator.password_hash
    tokens_before = db.session.query(ApiToken).count()
    response = client.post(build(rule, values, moderator, author), data=form)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    db.session.expire_all()
    assert comment.status == Status.PENDING and comment.text == "untouched"
    assert site.name == "Blog" and site.moderation_policy == "hold_all"
    assert db.session.get(SiteRule, site_rule.id) is not None
    assert author.verified_at is None
    assert api_token.revoked_at is None
    assert moderator.password_hash == hash_before
    assert db.session.query(ApiToken).count() == tokens_before
    assert [m.moderator.email for m in site.memberships] == ["owner@example.org"]
    assert client.get("/moderate/queue").status_code == 200, "the session survived"


def test_a_token_from_another_session_is_refused(app, world):
    client, _, comment, _, _ = world
    stranger_token = csrf_token(app.test_client())
    response = client.post(
        f"/moderate/comments/{comment.id}/approve", data={"csrf_token": stranger_token}
    )
    assert response.status_code == 400
    assert comment.status == Status.PENDING


def test_the_same_post_with_the_token_succeeds(world):
    client, _, comment, _, _ = world
    assert post_form(client, f"/moderate/comments/{comment.id}/approve").status_code == 302
    assert comment.status == Status.APPROVED
