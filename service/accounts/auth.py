"""Who is calling: bearer tokens for the moderator API."""

from __future__ import annotations

from functools import wraps

from flask import g, request

from service.accounts.models import Moderator
from service.accounts.services import can_moderate, moderator_for_token
from service.http.errors import Forbidden, NotFound, Unauthorized


def bearer_moderator() -> Moderator:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthorized("Send a moderator token as 'Authorization: Bearer <token>'.")
    moderator = moderator_for_token(raw.strip())
    if moderator is None:
        raise Unauthorized("The token is unknown or revoked.", code="bad_token")
    return moderator


def require_token(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.moderator = bearer_moderator()
        return view(*args, **kwargs)

    return wrapper


def ensure_can_moderate(moderator: Moderator, site_id: int) -> None:
    """Another site's comment is reported as missing, so ids cannot be probed."""
    if not can_moderate(moderator, site_id):
        raise NotFound("No such comment.", code="unknown_comment")


def ensure_site_access(moderator: Moderator, site_id: int) -> None:
    if not can_moderate(moderator, site_id):
        raise Forbidden("You do not moderate this site.", code="not_a_moderator")
