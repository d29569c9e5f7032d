"""Sending e-mail through SMTP with the MAIL_* settings; shared by every feature that mails."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

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


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for an e-mail: TALKBACK_PUBLIC_URL if set, else the current request.

    Built from PUBLIC_URL alone (its path is the mount point), so neither a forged Host
    header nor the proxy's SCRIPT_NAME ends up in a mailed link.
    """
    public_url = current_app.config.get("PUBLIC_URL", "")
    if public_url:
        base = urlsplit(public_url)
        adapter = current_app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
        )
        return adapter.build(endpoint, values, force_external=True)
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    raise RuntimeError("Set TALKBACK_PUBLIC_URL so e-mails can link back to this server.")
