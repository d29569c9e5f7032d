"""Trusted authors: per-site e-mail addresses whose comments skip the queue.

An address becomes trusted only after its owner opens the signed link we e-mail to it, so a
spammer cannot earn trust by typing a regular's name. The token names the row and the
address, and stops working once the row is verified (single use) or after a week.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import current_app
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.accounts.models import Moderator, Site
from service.accounts.passwords import LinkError, load_signed
from service.comments.models import Comment
from service.extensions import db
from service.http.errors import ValidationError
from service.timeutil import utcnow

VERIFY_SALT = "talkback.trusted-author"
VERIFY_MAX_AGE = 7 * 24 * 3600
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

# The rules dry run reads "the last 1,000 comments of a site"; without (site_id, id) that is
# a sort of every comment the site ever had. Declared here (the dashboard's module) and
# created by migration 0004, so the lead's Comment model stays untouched.
Index("ix_comments_site_id_id", Comment.site_id, Comment.id)


class TrustedAuthor(db.Model):
    __tablename__ = "trusted_authors"
    __table_args__ = (UniqueConstraint("site_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(100), default="")
    added_by: Mapped[int | None] = mapped_column(ForeignKey("moderators.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship()


def normalise_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationError("Give a full e-mail address.", code="invalid_email", field="email")
    return email


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
