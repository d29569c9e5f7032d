"""Signed, expiring form tokens: when the comment form was rendered, as the scorer sees it."""

from __future__ import annotations

import time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "talkback.form-token"


class TokenState:
    VALID = "valid"
    MISSING = "missing"
    FORGED = "forged"
    EXPIRED = "expired"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue_form_token(site_slug: str) -> str:
    return _serializer().dumps({"site": site_slug, "t": time.time()})


def check_form_token(token: str | None, site_slug: str) -> tuple[str, float | None]:
    """Return the token's state and, when it can be trusted, its age in seconds."""
    if not token:
        return TokenState.MISSING, None
    max_age = current_app.config["FORM_TOKEN_MAX_AGE_SECONDS"]
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        return TokenState.EXPIRED, None
    except BadSignature:
        return TokenState.FORGED, None
    if not isinstance(payload, dict) or payload.get("site") != site_slug:
        return TokenState.FORGED, None
    return TokenState.VALID, max(0.0, time.time() - float(payload.get("t", 0)))
