"""Moderators sign in with e-mail and password; sessions are safe and the login is throttled."""

from __future__ import annotations

import pytest

from service.accounts import passwords
from service.accounts.models import Role, SignedOutSession
from service.extensions import db
from service.timeutil import utcnow
from tests import support
from tests.moderator_forms import PASSWORD, csrf_token, dashboard_moderator, login, post_form


def test_dashboard_pages_send_anonymous_visitors_to_the_login_page(client):
    response = client.get("/moderate/queue?status=spam")
    assert response.status_code == 302
    assert response.location == "/moderate/login?next=/moderate/queue?status%3Dspam"


def test_correct_password_signs_in_and_returns_to_next(client, owner_account):
    response = login(client, "Owner@Example.org", next_url="/moderate/audit")
    assert response.status_code == 302
    assert response.location == "/moderate/audit"
    assert client.get("/moderate/queue").status_code == 200


def test_session_cookie_is_http_only_and_same_site(client, owner_account):
    response = login(client, "owner@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_config_marks_the_session_cookie_secure():
    from service.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True


@pytest.mark.parametrize(
    "password, email",
    [("wrong password!", "owner@example.org"), (PASSWORD, "nobody@example.org")],
)
def test_wrong_password_or_unknown_email_is_refused_the_same_way(
    client, owner_account, password, email
):
    response = login(client, email, password)
    assert response.status_code == 401
    assert "do not match an active account" in response.get_data(as_text=True)
    assert client.get("/moderate/queue").status_code == 302


def test_disabled_moderator_cannot_sign_in_and_is_signed_out(client, owner_account):
    login(client, "owner@example.org")
    owner_account.is_active = False
    db.session.commit()
    assert client.get("/moderate/queue").status_code == 302
    assert login(client, "owner@example.org").status_code == 401


def test_password_change_ends_other_sessions(app, owner_account):
    first = app.test_client()
    login(first, "owner@example.org")
    passwords.set_password(owner_account, "another long password")
    assert first.get("/moderate/queue").status_code == 302


def test_passwords_are_stored_as_argon2_hashes(owner_account):
    assert owner_account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in owner_account.password_hash


def test_logout_needs_a_post_and_ends_the_session(client, owner_account):
    login(client, "owner@example.org")
    assert client.get("/moderate/logout").status_code == 405
    response = post_form(client, "/moderate/logout")
    assert response.status_code == 302
    assert client.get("/moderate/queue").status_code == 302


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example/moderate",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/moderate/\r\nLocation: https://evil.example",
        "evil.example",
    ],
)
def test_login_never_redirects_off_site(client, owner_account, evil):
    response = login(client, "owner@example.org", next_url=evil)
    assert response.status_code == 302
    assert response.location == "/moderate/queue"


def test_login_is_rate_limited(tmp_path):
    app = support.testing_app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
        from service.accounts import services as accounts

        site = accounts.create_site("blog", "Blog")
        dashboard_moderator(site, "owner@example.org", Role.OWNER)
        client = app.test_client()
        token = csrf_token(client)
        statuses = [
            client.post(
                "/moderate/login",
                data={
                    "email": "owner@example.org",
                    "password": "nope",
                    "csrf_token": token,
                },
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        # Even the right password waits until the window has passed.
        assert login(client, "owner@example.org").status_code == 429
        db.session.remove()


def test_password_reset_requests_are_rate_limited_per_address(tmp_path):
    app = support.testing_app(tmp_path, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    with app.app_context():
        db.create_all()
        statuses = []
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
            client = app.test_client()
            environ = {"REMOTE_ADDR": address}
            token = csrf_token(client)
            response = client.post(
                "/moderate/password/forgot",
                data={"email": "victim@example.org", "csrf_token": token},
                environ_base=environ,
            )
            statuses.append(response.status_code)
        assert statuses == [302, 302, 429]
        db.session.remove()


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, site):
    from datetime import timedelta

    from service.accounts import services as accounts
    from service.accounts.models import SignedOutSession
    from service.timeutil import utcnow

    dashboard_moderator(site, "owner@example.org", Role.OWNER)
    client = app.test_client()
    assert login(client, "owner@example.org").status_code == 302
    stolen = client.get_cookie("session").value
    token = csrf_token(client, "/moderate/queue")
    assert client.post("/moderate/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/moderate/queue").status_code == 302  # back to the login page
    # A fresh sign-in is a new session, untouched by the old sign-out.
    assert login(client, "owner@example.org").status_code == 302
    assert client.get("/moderate/queue").status_code == 200
    # The record goes once the cookie it stands for would have expired anyway.
    [ended] = db.session.scalars(db.select(SignedOutSession)).all()
    ended.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert accounts.forget_expired_sign_outs() == 1


def test_a_copied_cookie_kept_fresh_does_not_outlive_the_remembered_sign_out(
    app, site, monkeypatch
):
    import time

    from service.accounts import services as accounts

    real_time = time.time
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: real_time() + offset[0])
    lifetime = app.permanent_session_lifetime.total_seconds()
    dashboard_moderator(site, "owner@example.org", Role.OWNER)
    client = app.test_client()
    login(client, "owner@example.org")
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    post_form(client, "/moderate/logout")
    # The thief keeps the copy fresh with requests the server answers with a new cookie...
    offset[0] = 0.6 * lifetime
    thief.get("/moderate/login")
    # ...past the time the sign-out is remembered, after which the sweep forgets it.
    offset[0] = 1.2 * lifetime
    db.session.execute(db.update(SignedOutSession).values(expires_at=utcnow()))
    db.session.commit()
    accounts.forget_expired_sign_outs()
    assert thief.get("/moderate/queue").status_code == 302
