"""The queue's one table: tasks the broker refused, kept until the sweep sends them again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.timeutil import utcnow


class ParkedTask(db.Model):
    """A task the broker refused when it was sent; the sweep sends it again.

    Comments need no parking (the sweep finds them by their `received` status), but the
    follow-ups of a committed change (new-comment mail, webhooks, a model lesson) exist
    only as messages: without this a Redis outage at the wrong moment loses them.
    """

    __tablename__ = "parked_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_name: Mapped[str] = mapped_column(String(100))
    args: Mapped[list] = mapped_column(JSON)
    parked_at: Mapped[datetime] = mapped_column(default=utcnow)
