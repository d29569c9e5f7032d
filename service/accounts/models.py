"""Sites that embed Talkback, the moderators who look after them, and their API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.config import DEFAULT_APPROVE_BELOW, DEFAULT_SPAM_AT
from service.extensions import db
from service.timeutil import utcnow


class ModerationPolicy:
    HOLD_ALL = "hold_all"
    AUTO_APPROVE_LOW_SCORE = "auto_approve_low_score"
    POST_MODERATION = "post_moderation"
    ALL = (HOLD_ALL, AUTO_APPROVE_LOW_SCORE, POST_MODERATION)


class Role:
    OWNER = "owner"
    MODERATOR = "moderator"
    ALL = (OWNER, MODERATOR)


class Site(db.Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    allowed_origins: Mapped[list] = mapped_column(JSON, default=list)
    moderation_policy: Mapped[str] = mapped_column(String(32), default=ModerationPolicy.HOLD_ALL)
    approve_below: Mapped[float] = mapped_column(default=DEFAULT_APPROVE_BELOW)
    spam_at: Mapped[float] = mapped_column(default=DEFAULT_SPAM_AT)
    # Free-form per-site options (share handle, hashtags, notification switches ...).
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[SiteMembership]] = relationship(back_populates="site")

    def __repr__(self) -> str:
        return f"<Site {self.slug}>"


class Moderator(db.Model):
    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[SiteMembership]] = relationship(back_populates="moderator")
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="moderator")

    def __repr__(self) -> str:
        return f"<Moderator {self.email}>"


class SiteMembership(db.Model):
    __tablename__ = "site_memberships"
    __table_args__ = (UniqueConstraint("site_id", "moderator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=Role.MODERATOR)

    site: Mapped[Site] = relationship(back_populates="memberships")
    moderator: Mapped[Moderator] = relationship(back_populates="memberships")


class ApiToken(db.Model):
    """A bearer token for the moderator API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    moderator: Mapped[Moderator] = relationship(back_populates="tokens")


class SignedOutSession(db.Model):
    """A dashboard session ended by signing out, until its cookie would have expired anyway.

    The session lives in a signed cookie, so clearing it only empties the browser that
    signed out; a copy of the cookie taken earlier would still open the dashboard.
    """

    __tablename__ = "signed_out_sessions"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class RefusedOrigin(db.Model):
    """An origin whose page asked for a site's comments but is not on its allowed list.

    One row per site and origin, bumped on each refusal, so the Sites page can offer
    "add this origin?" for what was refused lately without logging every request.
    """

    __tablename__ = "refused_origins"
    __table_args__ = (UniqueConstraint("site_id", "origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    origin: Mapped[str] = mapped_column(String(255))
    count: Mapped[int] = mapped_column(default=1)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
