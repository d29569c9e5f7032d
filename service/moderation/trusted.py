"""Trusted authors: per-site e-mail addresses whose comments skip the queue.

An address becomes trusted only after its owner opens the signed link we e-mail to it, so a
spammer cannot earn trust by typing a regular's name. The token names the row and the
address, and stops working once the row is verified (single use) or after a week.
"""

from __future__ import annotations

from flask import current_app, render_template
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from service.accounts.models import Moderator, Site
from service.accounts.passwords import LinkError, load_signed
from service.accounts.services import delete_site_row
from service.extensions import db
from service.http.validation import normalise_email
from service.mail import external_url, send_mail_soon
from service.moderation.models import TrustedAuthor
from service.timeutil import utcnow

VERIFY_SALT = "talkback.trusted-author"
VERIFY_MAX_AGE = 7 * 24 * 3600


def trusted_authors(site: Site) -> list[TrustedAuthor]:
    return list(
        db.session.scalars(
            select(TrustedAuthor)
            .where(TrustedAuthor.site_id == site.id)
            .order_by(TrustedAuthor.email)
        )
    )


def add_trusted_author(site: Site, email: str, name: str, moderator: Moderator) -> TrustedAuthor:
    """Record the address as waiting for verification (or return the existing row)."""
    email = normalise_email(email)
    author = db.session.scalar(
        select(TrustedAuthor).where(TrustedAuthor.site_id == site.id, TrustedAuthor.email == email)
    )
    if author is None:
        author = TrustedAuthor(
            site_id=site.id, email=email, name=name.strip()[:100], added_by=moderator.id
        )
        db.session.add(author)
        db.session.commit()
    return author


def make_verify_token(author: TrustedAuthor) -> str:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=VERIFY_SALT)
    return serializer.dumps({"t": author.id, "e": author.email})


def author_for_token(token: str) -> TrustedAuthor:
    """The unverified row a link was made for; raises LinkError otherwise."""
    max_age = current_app.config.get("TRUSTED_AUTHOR_LINK_MAX_AGE", VERIFY_MAX_AGE)
    data = load_signed(VERIFY_SALT, token, max_age)
    author_id = data.get("t")
    author = db.session.get(TrustedAuthor, author_id) if isinstance(author_id, int) else None
    if author is None or author.email != data.get("e"):
        raise LinkError("invalid")
    if author.verified_at is not None:
        raise LinkError("used")
    return author


def verify(token: str) -> TrustedAuthor:
    author = author_for_token(token)
    author.verified_at = utcnow()
    db.session.commit()
    return author


def is_trusted(site_id: int, email: str) -> bool:
    """True when this address is a verified trusted author of the site.

    The pipeline calls this to let such comments skip the queue (spam still goes to spam).
    """
    if not email:
        return False
    found = db.session.scalar(
        select(TrustedAuthor.id).where(
            TrustedAuthor.site_id == site_id,
            TrustedAuthor.email == email.strip().lower(),
            TrustedAuthor.verified_at.is_not(None),
        )
    )
    return found is not None


def remove_trusted_author(site: Site, author_id: int) -> bool:
    return delete_site_row(TrustedAuthor, site, author_id)


def send_verification_mail(author: TrustedAuthor, site: Site) -> None:
    """Ask the address's owner to confirm it; sent in the background (see mail.send_mail_soon)."""
    link = external_url("dashboard.confirm_trusted", token=make_verify_token(author))
    send_mail_soon(
        author.email,
        f"Confirm your address for comments on {site.name}",
        render_template("email/trusted_author.txt", site=site, link=link),
    )
