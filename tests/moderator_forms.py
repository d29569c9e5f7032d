"""Acting as a moderator through the web forms: accounts, sign-in, and form posts with CSRF."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from service.accounts import passwords
from service.accounts import services as accounts
from service.accounts.models import Moderator, Role, Site
from service.extensions import db

PASSWORD = "a long enough password"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def dashboard_moderator(site: Site, email: str, role: str = Role.MODERATOR) -> Moderator:
    """A moderator of `site` who can sign in with PASSWORD."""
    moderator = accounts.get_or_create_moderator(email)
    accounts.grant_role(moderator, site, role)
    moderator.password_hash = passwords.hash_password(PASSWORD)
    db.session.commit()
    return moderator


def csrf_token(client: FlaskClient, path: str = "/moderate/login") -> str:
    """A valid token for this client's session, read from a rendered form."""
    match = CSRF_RE.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD, next_url: str = ""):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    if next_url:
        data["next"] = next_url
    return client.post("/moderate/login", data=data)


def post_form(client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    """POST like the browser does: with the token the signed-in session was given."""
    token = csrf_token(client, "/moderate/tokens")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def signed_in(app, site: Site, email: str, role: str = Role.MODERATOR) -> FlaskClient:
    client = app.test_client()
    dashboard_moderator(site, email, role)
    response = login(client, email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
