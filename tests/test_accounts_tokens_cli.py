"""API tokens from the dashboard (shown once, stored hashed, revocable) and the moderators CLI."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.accounts import passwords
from service.accounts.models import ApiToken, Moderator, Role
from service.extensions import db
from service.security import hash_token
from tests.moderator_forms import dashboard_moderator, login, post_form, signed_in

TOKEN_RE = re.compile(r'id="new-token".*?<code>([^<]+)</code>', re.S)


def test_a_new_token_is_shown_once_and_stored_only_as_a_hash(app, site):
    client = signed_in(app, site, "mod@example.org")
    response = post_form(client, "/moderate/tokens", {"label": "backup script"})
    assert response.status_code == 201
    raw = TOKEN_RE.search(response.get_data(as_text=True)).group(1)
    stored = db.session.scalar(select(ApiToken).where(ApiToken.label == "backup script"))
    assert stored.token_hash == hash_token(raw)
    assert raw not in client.get("/moderate/tokens").get_data(as_text=True)
    queue = client.get(
        f"/api/v1/sites/{site.slug}/queue", headers={"Authorization": f"Bearer {raw}"}
    )
    assert queue.status_code == 200


def test_a_revoked_token_no_longer_opens_the_api(app, site):
    client = signed_in(app, site, "mod@example.org")
    raw = TOKEN_RE.search(
        post_form(client, "/moderate/tokens", {"label": "x"}).get_data(as_text=True)
    ).group(1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    assert post_form(client, f"/moderate/tokens/{token.id}/revoke").status_code == 302
    response = client.get(
        f"/api/v1/sites/{site.slug}/queue", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 401
    assert "revoked" in client.get("/moderate/tokens").get_data(as_text=True)


def test_nobody_can_revoke_someone_elses_token(app, site, make_moderator):
    other, _ = make_moderator(site, "other@example.org")
    client = signed_in(app, site, "mod@example.org")
    assert post_form(client, f"/moderate/tokens/{other.tokens[0].id}/revoke").status_code == 404
    assert other.tokens[0].revoked_at is None


def test_cli_disable_blocks_sign_in_and_tokens(app, site, make_moderator):
    moderator, token = make_moderator(site, "mod@example.org")
    dashboard_moderator(site, "mod@example.org")
    result = app.test_cli_runner().invoke(args=["moderators", "disable", "MOD@example.org"])
    assert result.exit_code == 0, result.output
    assert "disabled" in result.output
    assert login(app.test_client(), "mod@example.org").status_code == 401
    response = app.test_client().get(
        f"/api/v1/sites/{site.slug}/queue", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    listing = app.test_cli_runner().invoke(args=["moderators", "list"])
    assert "mod@example.org\tdisabled" in listing.output


def test_cli_set_password_lets_the_moderator_sign_in(app, site, make_moderator):
    make_moderator(site, "mod@example.org", Role.OWNER)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["moderators", "set-password", "mod@example.org", "--password", "cli password 123"]
    )
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "mod@example.org", "cli password 123").status_code == 302


def test_a_new_password_revokes_every_api_token(app, site, make_moderator):
    # After an account takeover the owner resets the password; the intruder's tokens die.
    _, token = make_moderator(site, "mod@example.org", Role.OWNER)
    queue = f"/api/v1/sites/{site.slug}/queue"
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get(queue, headers=bearer).status_code == 200
    result = app.test_cli_runner().invoke(
        args=["moderators", "set-password", "mod@example.org", "--password", "cli password 123"]
    )
    assert result.exit_code == 0, result.output
    assert app.test_client().get(queue, headers=bearer).status_code == 401


def test_cli_set_password_prompts_and_refuses_weak_passwords(app, site, make_moderator):
    make_moderator(site, "mod@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["moderators", "set-password", "mod@example.org"], input="short\nshort\n"
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    moderator = passwords.find_moderator("mod@example.org")
    assert moderator.password_hash is None


def test_cli_refuses_unknown_moderators(app):
    result = app.test_cli_runner().invoke(args=["moderators", "disable", "ghost@example.org"])
    assert result.exit_code != 0
    assert "No moderator" in result.output
    assert db.session.scalar(select(Moderator)) is None


def test_demo_seed_sets_the_well_known_password_only_outside_production(app):
    from service.accounts import passwords
    from service.demo.cli import DEMO_EMAIL, DEMO_PASSWORD

    app.config["ENV_NAME"] = "production"
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD not in result.output
    assert "flask moderators set-password" in result.output
    assert passwords.authenticate(DEMO_EMAIL, DEMO_PASSWORD) is None

    app.config["ENV_NAME"] = "development"
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert f"dashboard password: {DEMO_PASSWORD}" in result.output
    assert passwords.authenticate(DEMO_EMAIL, DEMO_PASSWORD) is not None
