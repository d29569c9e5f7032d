"""The audit trail: one ModerationEvent for every change of a comment's status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.accounts.models import Moderator
from service.comments.models import Comment
from service.extensions import db
from service.timeutil import utcnow


class ModerationEvent(db.Model):
    __tablename__ = "moderation_events"
    __table_args__ = (Index("ix_moderation_events_site_created", "site_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    # NULL actor means the pipeline itself (worker) decided.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("moderators.id", ondelete="SET NULL"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship()
    actor: Mapped[Moderator | None] = relationship()
