"""What moderators want to hear about, what they were told, and which e-mailed links were used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.timeutil import utcnow


class NotifyMode:
    OFF = "off"
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    ALL = (OFF, IMMEDIATE, DIGEST)
    # A moderator without a preference row hears about every new comment at once.
    DEFAULT = IMMEDIATE


class NotificationPreference(db.Model):
    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("moderator_id", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(16), default=NotifyMode.DEFAULT)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotificationLog(db.Model):
    """One row per (comment, moderator, kind) mailed; the unique key makes re-sends impossible."""

    __tablename__ = "notification_log"
    __table_args__ = (UniqueConstraint("comment_id", "moderator_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), index=True
    )
    # NotifyMode.IMMEDIATE or NotifyMode.DIGEST: a comment may appear in both once.
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class UsedActionLink(db.Model):
    """The nonce of every e-mailed approve/reject link that has been acted on."""

    __tablename__ = "used_action_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
