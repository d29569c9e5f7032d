"""Share clicks: one counter per (thread, network, day); no IP, no user agent, no cookie."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db


class ShareClick(db.Model):
    __tablename__ = "share_clicks"
    __table_args__ = (
        # The upsert's conflict target: a click adds 1 to this row or creates it.
        UniqueConstraint("thread_id", "network", "day", name="uq_share_clicks_thread_network_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Denormalised from the thread so the per-site statistics need no join to filter.
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer, default=0)
