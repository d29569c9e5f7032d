"""Threads (one per page of a site) and the comments posted on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.accounts.models import Site
from service.extensions import db
from service.timeutil import utcnow


class Status:
    RECEIVED = "received"
    PENDING = "pending"
    SPAM = "spam"
    APPROVED = "approved"
    REJECTED = "rejected"
    DELETED = "deleted"
    ALL = (RECEIVED, PENDING, SPAM, APPROVED, REJECTED, DELETED)


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("site_id", "uri"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    uri: Mapped[str] = mapped_column(String(1024))
    title: Mapped[str] = mapped_column(String(300), default="")
    canonical_url: Mapped[str] = mapped_column(String(2048), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship()


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        # The public thread read and the moderation queue are the two hot queries.
        Index("ix_comments_thread_status_id", "thread_id", "status", "id"),
        Index("ix_comments_site_status_score", "site_id", "status", "spam_score", "id"),
        Index("ix_comments_status_created", "status", "created_at"),
        # The rules dry run reads "the last 1,000 comments of a site" (migration 0004).
        Index("ix_comments_site_id_id", "site_id", "id"),
        # The pipeline's flood counts: the site's last minute from one address / e-mail.
        Index("ix_comments_site_ip_created", "site_id", "ip", "created_at"),
        Index("ix_comments_site_email_created", "site_id", text("lower(email)"), "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Denormalised from the thread so the per-site queue needs no join.
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=Status.RECEIVED)
    spam_score: Mapped[float | None]
    spam_reasons: Mapped[list] = mapped_column(JSON, default=list)
    # What the submission itself told us (honeypot, form timing) for the scorer.
    signals: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    edit_token_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When the words last changed after posting (by the author or a moderator); readers see
    # an "edited" marker. updated_at moves on every status change, so it cannot tell.
    edited_at: Mapped[datetime | None]
    # Last time the sweep re-sent this comment, so each stuck comment is re-sent at most
    # once per STUCK_AFTER_SECONDS instead of on every sweep.
    queued_at: Mapped[datetime | None]
    # How often a worker has started processing it; past MAX_PROCESS_ATTEMPTS the comment is
    # held for a moderator as plain text instead of being re-sent for ever.
    process_attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    thread: Mapped[Thread] = relationship()
    site: Mapped[Site] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id])
    # Its status history, by name: moderation owns ModerationEvent and imports this module,
    # so this side stays free of an import back into moderation.
    events = relationship("ModerationEvent", viewonly=True, order_by="ModerationEvent.id")

    def replace_text(self, text: str) -> None:
        """New words for a posted comment; readers are told it was edited if they differ."""
        if text != self.text:
            self.edited_at = utcnow()
        self.text = text

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.status}>"
