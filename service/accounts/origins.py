"""Which origins may embed a site: adding and removing them, and remembering refusals.

A refusal is kept per site and origin for REFUSAL_WINDOW, so the Sites page can offer
"add this origin?" for a blog the owner forgot to list, without a log of every request.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from service.accounts.models import RefusedOrigin, Site
from service.extensions import db
from service.http.errors import ValidationError
from service.http.hosts import normalise_origin
from service.timeutil import utcnow

REFUSAL_WINDOW = timedelta(hours=24)
# Enough for every blog an owner might forget; a flood of made-up Origin headers stops here.
MAX_REFUSALS_PER_SITE = 50
MAX_ORIGIN_LENGTH = 255


def _storable(origin: str | None) -> str | None:
    """The origin if a database will take it: printable ASCII (punycode), bounded."""
    if not origin or len(origin) > MAX_ORIGIN_LENGTH:
        return None
    return origin if origin.isascii() and origin.isprintable() else None


def parse_origin(raw: object) -> str:
    origin = _storable(normalise_origin(raw)) if isinstance(raw, str) else None
    if origin is None:
        raise ValidationError(
            "An origin is scheme://host[:port], like https://blog.example.org.",
            code="invalid_origin",
            field="origin",
        )
    return origin


def allowed_origins(site: Site) -> list[str]:
    found = (normalise_origin(origin) for origin in site.allowed_origins or [])
    return [origin for origin in found if origin]


def add_origin(site: Site, raw: object) -> str:
    origin = parse_origin(raw)
    if origin not in allowed_origins(site):
        # A new list, so SQLAlchemy sees the JSON column change.
        site.allowed_origins = [*(site.allowed_origins or []), origin]
    db.session.execute(
        delete(RefusedOrigin).where(
            RefusedOrigin.site_id == site.id, RefusedOrigin.origin == origin
        )
    )
    db.session.commit()
    return origin


def remove_origin(site: Site, raw: object) -> str:
    origin = parse_origin(raw)
    kept = [o for o in site.allowed_origins or [] if normalise_origin(o) != origin]
    if len(kept) == len(site.allowed_origins or []):
        raise ValidationError(
            f"{origin} is not an allowed origin of {site.slug}.",
            code="unknown_origin",
            field="origin",
        )
    site.allowed_origins = kept
    db.session.commit()
    return origin


def record_refusal(site_id: int, raw_origin: str) -> None:
    """Count a refused origin for the site: one UPDATE, or one INSERT for a new origin."""
    # A header is anybody's text: a NUL byte or a control character is not kept.
    origin = _storable(normalise_origin(raw_origin))
    if origin is None:
        return
    now = utcnow()
    bumped = db.session.execute(
        update(RefusedOrigin)
        .where(RefusedOrigin.site_id == site_id, RefusedOrigin.origin == origin)
        .values(count=RefusedOrigin.count + 1, last_seen_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not bumped:
        db.session.execute(
            delete(RefusedOrigin)
            .where(
                RefusedOrigin.site_id == site_id, RefusedOrigin.last_seen_at < now - REFUSAL_WINDOW
            )
            .execution_options(synchronize_session=False)
        )
        kept = db.session.scalar(select(func.count()).where(RefusedOrigin.site_id == site_id))
        if kept < MAX_REFUSALS_PER_SITE:
            try:
                with db.session.begin_nested():
                    db.session.add(RefusedOrigin(site_id=site_id, origin=origin, last_seen_at=now))
            except IntegrityError:  # a concurrent refusal inserted it first
                pass
    db.session.commit()


def recent_refusals(site: Site) -> list[RefusedOrigin]:
    """Origins refused in the last 24 hours that are still not allowed, latest first."""
    allowed = set(allowed_origins(site))
    rows = db.session.scalars(
        select(RefusedOrigin)
        .where(
            RefusedOrigin.site_id == site.id,
            RefusedOrigin.last_seen_at >= utcnow() - REFUSAL_WINDOW,
        )
        .order_by(RefusedOrigin.last_seen_at.desc())
    )
    return [row for row in rows if row.origin not in allowed]
