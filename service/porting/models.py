"""Where each imported comment came from, so a second run of the same import adds nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.timeutil import utcnow


class ImportedComment(db.Model):
    __tablename__ = "imported_comments"
    __table_args__ = (UniqueConstraint("site_id", "source", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    # The format's name (disqus, wordpress, isso, remark42, json) and its id for the comment.
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(255))
    # Kept so replies whose parent arrives later (or in a re-run after a crash) get linked.
    parent_source_id: Mapped[str | None] = mapped_column(String(255))
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportJob(db.Model):
    """An import started from the dashboard: the uploaded file waits here for the worker,
    which reports progress (bytes read) and, at the end, the summary and problems."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("moderators.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255), default="")
    path: Mapped[str] = mapped_column(String(1024))
    dry_run: Mapped[bool] = mapped_column(default=False)
    with_pingbacks: Mapped[bool] = mapped_column(default=False)
    # queued -> running -> done | failed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done_units: Mapped[int] = mapped_column(default=0)
    total_units: Mapped[int] = mapped_column(default=0)
    summary: Mapped[str] = mapped_column(String(1000), default="")
    problems: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
