"""Moderator sign-in for the dashboard: login, logout, password reset and API tokens.

The login session holds the moderator id and a fingerprint of the password hash, so a
password change or a disabled account ends every open session on the next request.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from service.accounts import passwords
from service.accounts import services as accounts
from service.accounts.auth import (
    current_moderator,
    end_session,
    login_required,
    safe_next,
    start_session,
)
from service.accounts.models import ApiToken
from service.extensions import db, limiter
from service.http import limits
from service.http.errors import ApiError
from service.mail import external_url, send_mail_soon

# Under the dashboard's prefix: /moderate/login, /moderate/tokens …
bp = Blueprint("accounts", __name__, url_prefix="/moderate")


def _login_email_key() -> str:
    return f"{request.endpoint}:" + request.form.get("email", "").strip().lower()


@bp.before_app_request
def _fresh_csrf_token() -> None:
    # Flask-WTF caches the signed CSRF token in `g`; derive it from this request's session
    # so a token cached by an outer app context (or before a login) is never rendered.
    g.pop("csrf_token", None)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limits.configured("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(limits.configured("LOGIN_RATE_LIMIT"), methods=["POST"], key_func=_login_email_key)
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
    start_session(moderator)
    return redirect(next_url)


@bp.post("/logout")
def logout():
    end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(limits.configured("LOGIN_RATE_LIMIT"), methods=["POST"])
# Per address too, so nobody can flood one inbox with reset mails from many IPs.
@limiter.limit(limits.configured("LOGIN_RATE_LIMIT"), methods=["POST"], key_func=_login_email_key)
def forgot_password():
    if request.method == "GET":
        return render_template("accounts/forgot.html")
    moderator = passwords.find_moderator(request.form.get("email", ""))
    if moderator is not None and moderator.is_active:
        link = external_url("accounts.reset_password", token=passwords.make_reset_token(moderator))
        minutes = (
            current_app.config.get("PASSWORD_RESET_MAX_AGE", passwords.DEFAULT_RESET_MAX_AGE) // 60
        )
        send_mail_soon(
            moderator.email,
            "Reset your Talkback password",
            render_template("email/password_reset.txt", link=link, minutes=minutes),
        )
    # The same answer either way, so the form does not reveal who has an account.
    flash("If that address has an account, a reset link is on its way.", "info")
    return redirect(url_for("accounts.login"))


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
    start_session(moderator)
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
    return redirect(url_for("accounts.tokens"))


def _render_tokens(new_token: str | None = None) -> str:
    rows = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.moderator_id == current_moderator().id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    return render_template("accounts/tokens.html", tokens=rows, new_token=new_token)
