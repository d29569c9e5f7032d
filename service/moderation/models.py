"""Moderation's tables: the audit trail (one ModerationEvent per status change), each site's
block/allow rules, and its trusted authors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.accounts.models import Moderator, Site
from service.comments.models import Comment
from service.extensions import db
from service.moderation.rules import PATTERN_MAX, RuleAction
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


class SiteRule(db.Model):
    __tablename__ = "site_rules"
    __table_args__ = (Index("ix_site_rules_site_kind", "site_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # Stored as `normalise_pattern` returns it, so matching never re-validates.
    pattern: Mapped[str] = mapped_column(String(PATTERN_MAX))
    action: Mapped[str] = mapped_column(String(8), default=RuleAction.BLOCK)
    whole_word: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("moderators.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<SiteRule {self.action} {self.kind} {self.pattern!r}>"


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
