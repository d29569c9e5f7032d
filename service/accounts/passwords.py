"""Moderator passwords (argon2id) and the signed, expiring, single-use password reset links.

A reset token carries a fingerprint of the current password hash, so it stops working the
moment the password changes: using it once is enough to spend it, without a table of
used tokens. The same fingerprint in the login session logs out every other session.
argon2 is loaded by the first sign-in or new password, not by web workers serving readers.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from service.accounts.models import Moderator
from service.extensions import db
from service.http.errors import ValidationError
from service.timeutil import utcnow

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_PASSWORD_LENGTH = 10
RESET_SALT = "talkback.password-reset"
DEFAULT_RESET_MAX_AGE = 3600
# A new owner's first link: the same page as a reset, but it may wait a week to be opened.
INVITATION_SALT = "talkback.invitation"
INVITATION_MAX_AGE = 7 * 86400


@lru_cache(maxsize=1)
def _argon2() -> tuple[PasswordHasher, str]:
    """The hasher, and a hash verified against when the e-mail is unknown, so a wrong
    address costs as long as a wrong password and response times do not reveal who has an
    account. Made together, so the first sign-in pays the same whoever asks."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher()
    return hasher, hasher.hash("not-a-real-password")


class LinkError(Exception):
    """An e-mailed link is `expired`, already `used`, or `invalid` (never ours, or altered)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def load_signed(salt: str, token: str, max_age: int) -> dict:
    """The payload of a link made by `URLSafeTimedSerializer(SECRET_KEY, salt).dumps(dict)`."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkError("expired") from None
    except BadSignature:
        raise LinkError("invalid") from None
    if not isinstance(data, dict):
        raise LinkError("invalid")
    return data


def hash_password(password: str) -> str:
    return _argon2()[0].hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"Use at least {MIN_PASSWORD_LENGTH} characters.",
            code="weak_password",
            field="password",
        )


def set_password(moderator: Moderator, password: str) -> None:
    """A new password signs the moderator out everywhere: sessions and API tokens alike.

    A reset is what someone does after losing control of an account; tokens the intruder
    made must not outlive it. The moderator issues new tokens on the tokens page.
    """
    check_password_strength(password)
    moderator.password_hash = hash_password(password)
    now = utcnow()
    for token in moderator.tokens:
        if token.revoked_at is None:
            token.revoked_at = now
    db.session.commit()


def find_moderator(email: str) -> Moderator | None:
    return db.session.scalar(select(Moderator).where(Moderator.email == email.strip().lower()))


def authenticate(email: str, password: str) -> Moderator | None:
    """The active moderator with this e-mail and password, or None."""
    from argon2.exceptions import InvalidHashError, VerificationError

    moderator = find_moderator(email)
    stored = moderator.password_hash if moderator and moderator.password_hash else None
    hasher, dummy_hash = _argon2()
    try:
        hasher.verify(stored or dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if stored is None or not moderator.is_active:
        return None
    if hasher.check_needs_rehash(stored):
        moderator.password_hash = hash_password(password)
        db.session.commit()
    return moderator


def password_fingerprint(moderator: Moderator) -> str:
    """A short digest of the password hash: changes whenever the password does."""
    return hashlib.sha256((moderator.password_hash or "").encode()).hexdigest()[:16]


def make_reset_token(moderator: Moderator, salt: str = RESET_SALT) -> str:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)
    return serializer.dumps({"m": moderator.id, "p": password_fingerprint(moderator)})


def make_invitation_token(moderator: Moderator) -> str:
    """Spent, like a reset link, the moment a password is set."""
    return make_reset_token(moderator, salt=INVITATION_SALT)


def _password_link_data(token: str) -> dict:
    max_age = current_app.config.get("PASSWORD_RESET_MAX_AGE", DEFAULT_RESET_MAX_AGE)
    try:
        return load_signed(RESET_SALT, token, max_age)
    except LinkError as reset_error:
        if reset_error.reason != "invalid":
            raise
    return load_signed(INVITATION_SALT, token, INVITATION_MAX_AGE)


def moderator_for_reset_token(token: str) -> Moderator:
    """The moderator a reset (or invitation) link was made for; raises LinkError otherwise."""
    data = _password_link_data(token)
    moderator = db.session.get(Moderator, data.get("m")) if isinstance(data.get("m"), int) else None
    if moderator is None or not moderator.is_active:
        raise LinkError("invalid")
    if data.get("p") != password_fingerprint(moderator):
        raise LinkError("used")
    return moderator
