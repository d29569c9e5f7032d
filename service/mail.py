"""Sending e-mail through SMTP with the MAIL_* settings; shared by every feature that mails."""

from __future__ import annotations

import logging
import smtplib
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, url_for

log = logging.getLogger(__name__)


def build_message(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A plain-text message, with an HTML alternative when one is given."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def send_mail(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> bool:
    """Send one message; returns False (and logs) when no SMTP server is configured.

    SMTP errors propagate, so a Celery task calling this can retry with backoff.
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.warning("MAIL_SERVER is not set; not sending %r to %s", subject, to)
        return False
    message = build_message(to, subject, text, html, headers)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
    return True


_background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="talkback-mail")


def send_mail_soon(to: str, subject: str, text: str) -> None:
    """Send from a background thread: the request neither waits for SMTP nor fails with it.

    For mails whose sending must not show in the answer: a password reset is only sent to
    addresses with an account, and SMTP time (or an SMTP error) would tell who has one.
    A failure is logged; the person can ask again. Under TASKS_EAGER (tests) it is sent
    before returning, with the same logging.
    """
    app = current_app._get_current_object()
    if app.config.get("TASKS_EAGER"):
        _send_logged(app, to, subject, text)
    else:
        _background.submit(_send_logged, app, to, subject, text)


def _send_logged(app: Flask, to: str, subject: str, text: str) -> None:
    with app.app_context():
        try:
            send_mail(to, subject, text)
        except Exception:  # noqa: BLE001 - nobody is waiting for this answer but the log
            log.exception("could not send %r to %s", subject, to)


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
