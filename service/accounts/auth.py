"""Who is calling: the dashboard's signed-in session, and bearer tokens for the moderator API.

The login session holds the moderator id and a fingerprint of the password hash, so a
password change or a disabled account ends every open session on the next request.
"""

from __future__ import annotations

import secrets
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy.exc import IntegrityError

from service.accounts import passwords
from service.accounts import services as accounts
from service.accounts.models import Moderator, Role, SignedOutSession, Site
from service.accounts.services import can_moderate, moderator_for_token
from service.extensions import db
from service.http.errors import ApiError, Forbidden, NotFound, Unauthorized
from service.timeutil import utcnow

SESSION_KEY = "moderator_id"
FINGERPRINT_KEY = "moderator_fp"
SESSION_ID_KEY = "session_id"
SIGNED_IN_AT_KEY = "signed_in_at"


# --- the dashboard's session ---------------------------------------------------------------


def current_moderator() -> Moderator | None:
    """The signed-in moderator, or None when the session is missing or stale.

    Not cached in `g`: an app context can outlive a request (tests, CLI), and the lookup
    is an identity-map hit after the first call anyway.
    """
    moderator_id = session.get(SESSION_KEY)
    if not isinstance(moderator_id, int):
        return None
    moderator = db.session.get(Moderator, moderator_id)
    session_id = session.get(SESSION_ID_KEY)
    signed_in_at = session.get(SIGNED_IN_AT_KEY)
    # The cookie is re-signed on every response, so its own age says nothing about when
    # the sign-in happened: a sign-in lasts one session lifetime, however often it is used,
    # which is also how long a sign-out is remembered.
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if (
        moderator is None
        or not moderator.is_active
        or session.get(FINGERPRINT_KEY) != passwords.password_fingerprint(moderator)
        or not isinstance(session_id, str)
        or not isinstance(signed_in_at, int | float)
        or time.time() - signed_in_at > lifetime
        or db.session.get(SignedOutSession, session_id) is not None
    ):
        for key in (SESSION_KEY, FINGERPRINT_KEY, SESSION_ID_KEY, SIGNED_IN_AT_KEY):
            session.pop(key, None)
        return None
    return moderator


def start_session(moderator: Moderator) -> None:
    """Sign `moderator` in: a fresh session, so a session id planted before login is worthless."""
    # A fresh session on login, so a session id planted before login is worthless.
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = moderator.id
    session[FINGERPRINT_KEY] = passwords.password_fingerprint(moderator)
    session[SESSION_ID_KEY] = secrets.token_urlsafe(24)
    session[SIGNED_IN_AT_KEY] = int(time.time())
    # session.clear() dropped the CSRF secret too; forget the token signed from it.
    g.pop("csrf_token", None)


def end_session() -> None:
    """Sign out, and remember the session id until it would have expired anyway, so a
    copy of the cookie taken before the sign-out is refused too."""
    session_id = session.get(SESSION_ID_KEY)
    if isinstance(session_id, str) and db.session.get(SignedOutSession, session_id) is None:
        expires = utcnow() + current_app.permanent_session_lifetime
        db.session.add(SignedOutSession(session_id=session_id[:64], expires_at=expires))
        try:
            db.session.commit()
        except IntegrityError:  # the same sign-out sent twice at once: already recorded
            db.session.rollback()
    session.clear()
    g.pop("csrf_token", None)


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_moderator() is None:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def member_site(slug: str, *, owner: bool = False) -> Site:
    """A site the signed-in moderator is on: 404 if they are not (no probing which slugs
    exist), 403 if `owner` is asked for and they only moderate it."""
    try:
        site = accounts.get_site(slug)
    except ApiError:
        abort(404)
    role = accounts.role_on(current_moderator(), site.id)
    if role is None:
        abort(404)
    if owner and role != Role.OWNER:
        abort(403)
    return site


def safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative `//` tricks."""
    default = url_for("dashboard.queue")
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(char) < 32 for char in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


# --- bearer tokens (moderator API) ----------------------------------------------------------


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
