"""Who asked to hear about replies, which replies they were told about, and dead addresses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.timeutil import utcnow


class ReplySubscription(db.Model):
    """A reader's wish to be mailed when their comment gets a published reply.

    Nothing is sent to the address until its owner opens the confirmation link
    (`confirmed_at`); unsubscribing deletes the row.
    """

    __tablename__ = "reply_subscriptions"
    __table_args__ = (
        UniqueConstraint("comment_id", "email"),
        Index("ix_reply_subscriptions_site_email", "site_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmation_sent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]


class ReplyNotice(db.Model):
    """One row per (subscription, reply) mailed; the unique key makes a second mail impossible."""

    __tablename__ = "reply_notices"
    __table_args__ = (UniqueConstraint("subscription_id", "reply_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("reply_subscriptions.id", ondelete="CASCADE")
    )
    reply_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class SuppressedAddress(db.Model):
    """An address whose mail server answered with a permanent failure: never mailed again."""

    __tablename__ = "suppressed_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
