"""A local SMTP server (aiosmtpd) that keeps every message, for tests that follow e-mailed links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support import free_port

LINK_RE = re.compile(r"https?://\S+")


@contextmanager
def smtp_inbox(app, handler: Inbox | None = None) -> Iterator[Inbox]:
    """A local SMTP sink (aiosmtpd) wired into the app's MAIL_* settings."""
    handler = handler or Inbox()
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
