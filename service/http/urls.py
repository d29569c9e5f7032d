"""The service's own public address, for links it hands out (share menus, the demo page)."""

from __future__ import annotations

from flask import current_app, request


def base_url() -> str:
    """Where this service is reachable: TALKBACK_PUBLIC_URL if set, else this request's host."""
    return (current_app.config.get("PUBLIC_URL") or request.url_root).rstrip("/")
