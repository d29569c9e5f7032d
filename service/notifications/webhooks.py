"""Per-site webhooks: an HMAC-signed JSON POST when a comment is new (pending) or approved.

A site opts in with `settings["webhook_url"]` and `settings["webhook_secret"]`. The receiver
checks `X-Talkback-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the secret>`.
Delivery is at least once; `X-Talkback-Delivery` is stable across retries so a receiver can
drop duplicates.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
from urllib.parse import urlsplit

from flask import current_app

from service import outbound
from service.accounts.models import Site
from service.comments.models import Comment
from service.extensions import db
from service.http.errors import ValidationError
from service.timeutil import as_utc

log = logging.getLogger(__name__)

COMMENT_NEW = "comment.new"
COMMENT_APPROVED = "comment.approved"
EVENTS = (COMMENT_NEW, COMMENT_APPROVED)
USER_AGENT = "Talkback-Webhook/1"
# Worth another try: the receiver is overloaded or briefly down, not refusing us.
RETRY_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))


class WebhookError(Exception):
    """A delivery that failed for good: retrying cannot help."""


class WebhookRefused(WebhookError):
    """The URL is not one we are willing to call (scheme, or a private address)."""


class WebhookRetryable(Exception):
    """A delivery that failed in a way a later attempt may not (network error, 5xx)."""


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_config(site: Site) -> tuple[str, str] | None:
    settings = site.settings or {}
    url = (settings.get("webhook_url") or "").strip()
    return (url, settings.get("webhook_secret") or "") if url else None


def _is_http_url(url: str) -> bool:
    """http(s)://host/...; an unclosed IPv6 bracket or a port past 65535 is False, not a 500."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and port != 0


def configure_webhook(site: Site, url: str, secret: str = "") -> str | None:
    """Set (or, with an empty URL, remove) a site's webhook; returns the secret in use.

    Only the URL's shape is checked here; whether its address may be called is decided at
    each delivery, because DNS can change in between.
    """
    url, secret = url.strip(), secret.strip()
    settings = dict(site.settings or {})
    if not url:
        settings.pop("webhook_url", None)
        settings.pop("webhook_secret", None)
        secret = None
    else:
        if not _is_http_url(url) or len(url) > 2000:
            raise ValidationError(
                "The webhook URL must start with http:// or https:// and name a host.",
                code="invalid_webhook_url",
                field="webhook_url",
            )
        if secret and not 16 <= len(secret) <= 200:
            raise ValidationError(
                "The webhook secret needs 16 to 200 characters (leave it empty to get one).",
                code="invalid_webhook_secret",
                field="webhook_secret",
            )
        secret = secret or secrets.token_urlsafe(32)
        settings.update(webhook_url=url, webhook_secret=secret)
    # A new dict, because the JSON column does not track changes made inside the old one.
    site.settings = settings
    db.session.commit()
    return secret


def payload(site: Site, comment: Comment, event: str) -> dict:
    return {
        "event": event,
        "site": site.slug,
        "comment": {
            "id": comment.id,
            "thread": {"uri": comment.thread.uri, "title": comment.thread.title},
            "author": comment.author_name or None,
            "html": comment.html,
            "status": comment.status,
            "created": as_utc(comment.created_at).isoformat(),
        },
    }


def check_url(url: str, *, allow_private: bool) -> tuple[str, str, int, str]:
    """Return (scheme, host, port, path) or raise WebhookRefused; resolves the host."""
    if not _is_http_url(url):
        raise WebhookRefused(f"webhook URL must be http(s)://host[:port]/..., not {url!r}")
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = outbound.request_target(parts.path + (f"?{parts.query}" if parts.query else ""))
    try:
        outbound.resolve(parts.hostname, port, allow_private=allow_private)
    except outbound.OutboundRefused as error:
        raise WebhookRefused(str(error)) from error
    except outbound.OutboundUnreachable as error:
        raise WebhookRetryable(str(error)) from error
    return parts.scheme, parts.hostname, port, path


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST without following redirects; return the status or raise WebhookRetryable."""
    config = current_app.config
    allow_private = bool(config["WEBHOOK_ALLOW_PRIVATE"])
    scheme, host, port, path = check_url(url, allow_private=allow_private)
    try:
        connection = outbound.connect(
            scheme,
            host,
            port,
            timeout=config["WEBHOOK_TIMEOUT_SECONDS"],
            allow_private=allow_private,
        )
    except outbound.OutboundRefused as error:
        raise WebhookRefused(str(error)) from error
    except outbound.OutboundUnreachable as error:
        raise WebhookRetryable(f"webhook to {host} failed: {error}") from error
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        status = response.status
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise WebhookRetryable(f"webhook to {host} failed: {error}") from error
    finally:
        connection.close()
    if status in RETRY_STATUSES:
        raise WebhookRetryable(f"webhook to {host} answered {status}")
    return status


def deliver(site_id: int, event: str, comment_id: int) -> int | None:
    """Send one event; None when there is nothing to send (no webhook, comment gone)."""
    if event not in EVENTS:
        raise WebhookError(f"unknown webhook event {event!r}")
    site = db.session.get(Site, site_id)
    comment = db.session.get(Comment, comment_id)
    config = webhook_config(site) if site else None
    if config is None or comment is None or comment.site_id != site_id:
        return None
    url, secret = config
    body = json.dumps(payload(site, comment, event), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Talkback-Event": event,
        "X-Talkback-Delivery": f"{event}:{comment_id}",
        "X-Talkback-Signature": sign(body, secret),
    }
    status = post(url, body, headers)
    if status >= 300:
        # Redirects are not followed (they could lead anywhere); a 4xx will not change.
        log.warning("webhook %s for site %s answered %s; giving up", event, site.slug, status)
    return status
