"""Sending e-mail through SMTP with the MAIL_* settings; shared by every feature that mails."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, request

log = logging.getLogger(__name__)


def build_message(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    """A plain-text message, with an HTML alternative when one is given."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def send_mail(to: str, subject: str, text: str, html: str | None = None) -> bool:
    """Send one message; returns False (and logs) when no SMTP server is configured.

    SMTP errors propagate, so a Celery task calling this can retry with backoff.
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.warning("MAIL_SERVER is not set; not sending %r to %s", subject, to)
        return False
    message = build_message(to, subject, text, html)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
    return True


def absolute_url(path: str) -> str:
    """A link for an e-mail: PUBLIC_URL when set (behind a proxy), else this request's host."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path
