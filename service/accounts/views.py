"""Moderator sign-in for the dashboard: login, logout, password reset and API tokens.

The login session holds the moderator id and a fingerprint of the password hash, so a
password change or a disabled account ends every open session on the next request.
"""

from __future__ import annotations

import secrets
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.accounts import passwords
from service.accounts import services as accounts
from service.accounts.models import ApiToken, Moderator, Role, SignedOutSession, Site
from service.extensions import db, limiter
from service.http.errors import ApiError
from service.mail import external_url, send_mail_soon
from service.timeutil import utcnow

bp = Blueprint("accounts", __name__)

SESSION_KEY = "moderator_id"
FINGERPRINT_KEY = "moderator_fp"
SESSION_ID_KEY = "session_id"
SIGNED_IN_AT_KEY = "signed_in_at"


def _login_rate_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", "5 per minute")


def _login_email_key() -> str:
    return f"{request.endpoint}:" + request.form.get("email", "").strip().lower()


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


@bp.before_app_request
def _fresh_csrf_token() -> None:
    # Flask-WTF caches the signed CSRF token in `g`; derive it from this request's session
    # so a token cached by an outer app context (or before a login) is never rendered.
    g.pop("csrf_token", None)


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_moderator() is None:
            return redirect(url_for("dashboard.accounts.login", next=request.full_path.rstrip("?")))
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


def _start_session(moderator: Moderator) -> None:
    # A fresh session on login, so a session id planted before login is worthless.
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = moderator.id
    session[FINGERPRINT_KEY] = passwords.password_fingerprint(moderator)
    session[SESSION_ID_KEY] = secrets.token_urlsafe(24)
    session[SIGNED_IN_AT_KEY] = int(time.time())
    # session.clear() dropped the CSRF secret too; forget the token signed from it.
    g.pop("csrf_token", None)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
@limiter.limit(_login_rate_limit, methods=["POST"], key_func=_login_email_key)
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_moderator() is not None:
            return redirect(next_url)
        return render_template("accounts/login.html", next=next_url, email="")
    email = request.form.get("email", "")
    moderator = passwords.authenticate(email, request.form.get("password", ""))
    if moderator is None:
        flash("That e-mail and password do not match an active account.", "error")
        return render_template("accounts/login.html", next=next_url, email=email), 401
    _start_session(moderator)
    return redirect(next_url)


@bp.post("/logout")
def logout():
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
    flash("You are signed out.", "info")
    return redirect(url_for("dashboard.accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
# Per address too, so nobody can flood one inbox with reset mails from many IPs.
@limiter.limit(_login_rate_limit, methods=["POST"], key_func=_login_email_key)
def forgot_password():
    if request.method == "GET":
        return render_template("accounts/forgot.html")
    moderator = passwords.find_moderator(request.form.get("email", ""))
    if moderator is not None and moderator.is_active:
        link = external_url(
            "dashboard.accounts.reset_password", token=passwords.make_reset_token(moderator)
        )
        minutes = (
            current_app.config.get("PASSWORD_RESET_MAX_AGE", passwords.DEFAULT_RESET_MAX_AGE) // 60
        )
        send_mail_soon(
            moderator.email,
            "Reset your Talkback password",
            render_template("accounts/reset_email.txt", link=link, minutes=minutes),
        )
    # The same answer either way, so the form does not reveal who has an account.
    flash("If that address has an account, a reset link is on its way.", "info")
    return redirect(url_for("dashboard.accounts.login"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        moderator = passwords.moderator_for_reset_token(token)
    except passwords.LinkError as error:
        return render_template("accounts/reset_invalid.html", reason=error.reason), 400
    if request.method == "GET":
        return render_template("accounts/reset.html", token=token)
    password = request.form.get("password", "")
    if password != request.form.get("confirm", ""):
        flash("The two passwords differ.", "error")
        return render_template("accounts/reset.html", token=token), 422
    try:
        passwords.set_password(moderator, password)
    except ApiError as error:
        flash(error.message, "error")
        return render_template("accounts/reset.html", token=token), 422
    _start_session(moderator)
    flash("Your password is changed and you are signed in.", "info")
    return redirect(url_for("dashboard.queue"))


@bp.get("/tokens")
@login_required
def tokens():
    return _render_tokens()


@bp.post("/tokens")
@login_required
def create_token():
    label = request.form.get("label", "").strip()[:100]
    raw = accounts.issue_api_token(current_moderator(), label=label)
    return _render_tokens(new_token=raw), 201


@bp.post("/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    try:
        accounts.revoke_api_token(token_id, current_moderator())
    except ApiError:
        abort(404)
    flash("The token is revoked.", "info")
    return redirect(url_for("dashboard.accounts.tokens"))


def _render_tokens(new_token: str | None = None) -> str:
    rows = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.moderator_id == current_moderator().id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return render_template("accounts/tokens.html", tokens=rows, new_token=new_token)
