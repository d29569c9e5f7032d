"""The audit log: every status change and moderator edit, filtered and paged newest first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from service.accounts.models import Moderator, Site
from service.comments.models import Status
from service.extensions import db
from service.http.errors import ValidationError
from service.moderation.models import ModerationEvent
from service.moderation.queue import PAGE_SIZE

# The audit page's query parameters (besides `before`, its cursor).
AUDIT_FILTERS = ("site", "actor", "action", "date_from", "date_to")


@dataclass(frozen=True)
class AuditFilters:
    site_ids: frozenset[int]
    actor: str = ""
    action: str = ""
    date_from: datetime | None = None
    date_to: datetime | None = None


def _date(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        day = None
    # The last year is refused too: an inclusive "to" date needs its next day to exist.
    if day is None or day.year >= MAXYEAR:
        raise ValidationError("Dates look like 2026-01-31.", code="invalid_date", field=name)
    return datetime.combine(day, time.min, tzinfo=UTC)


def parse_audit_filters(args: Mapping[str, str], sites: list[Site]) -> AuditFilters:
    allowed = {site.slug: site.id for site in sites}
    slug = args.get("site", "")
    if slug and slug not in allowed:
        raise ValidationError("You do not moderate that site.", code="unknown_site", field="site")
    action = args.get("action", "")
    if action and action not in Status.ALL:
        raise ValidationError("Unknown action.", code="invalid_action", field="action")
    date_to = _date(args.get("date_to"), "date_to")
    return AuditFilters(
        site_ids=frozenset({allowed[slug]}) if slug else frozenset(allowed.values()),
        actor=args.get("actor", "").strip().lower()[:254],
        action=action,
        date_from=_date(args.get("date_from"), "date_from"),
        # Inclusive: "to 2026-01-31" means up to the end of that day.
        date_to=date_to + timedelta(days=1) if date_to else None,
    )


def audit_page(
    filters: AuditFilters, before_id: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[ModerationEvent], int | None]:
    """Newest events first, paged by id."""
    statement = (
        select(ModerationEvent)
        .where(ModerationEvent.site_id.in_(filters.site_ids))
        .options(joinedload(ModerationEvent.actor), joinedload(ModerationEvent.comment))
    )
    if filters.actor == "pipeline":
        statement = statement.where(ModerationEvent.actor_id.is_(None))
    elif filters.actor:
        statement = statement.join(Moderator, Moderator.id == ModerationEvent.actor_id).where(
            Moderator.email == filters.actor
        )
    if filters.action:
        statement = statement.where(ModerationEvent.to_status == filters.action)
    if filters.date_from:
        statement = statement.where(ModerationEvent.created_at >= filters.date_from)
    if filters.date_to:
        statement = statement.where(ModerationEvent.created_at < filters.date_to)
    if before_id:
        statement = statement.where(ModerationEvent.id < before_id)
    events = list(
        db.session.scalars(statement.order_by(ModerationEvent.id.desc()).limit(limit + 1))
    )
    next_before = events[limit - 1].id if len(events) > limit else None
    return events[:limit], next_before
