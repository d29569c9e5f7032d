"""Helpers for the dashboard and account tests: sign in, post forms with CSRF, catch e-mail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from flask.testing import FlaskClient

from service.accounts import passwords
from service.accounts import services as accounts
from service.accounts.models import Moderator, Role, Site
from service.extensions import db
from tests.support import free_port

PASSWORD = "a long enough password"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK_RE = re.compile(r"https?://\S+")


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


@contextmanager
def smtp_inbox(app) -> Iterator[Inbox]:
    """A local SMTP sink (aiosmtpd) wired into the app's MAIL_* settings."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_URL="https://talk.example"
    )
    try:
        yield handler
    finally:
        controller.stop()


class Inbox:
    """An aiosmtpd handler keeping every message, for tests that follow e-mailed links."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def link_to(self, address: str) -> str:
        """The path of the only link in the newest message to `address`."""
        body = self.to(address)[-1].get_body(("plain",)).get_content()
        links = LINK_RE.findall(body)
        assert len(links) == 1, body
        return re.sub(r"^https?://[^/]+", "", links[0])
