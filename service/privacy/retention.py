"""Forgetting network data: IP prefixes and user agents are kept only as long as spam
scoring can use them (flood and same-network signals), 90 days unless a site says otherwise."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from service.accounts.models import Site
from service.comments.models import Comment
from service.extensions import db
from service.http.errors import ValidationError
from service.replies.models import ReplySubscription
from service.timeutil import utcnow

DEFAULT_RETENTION_DAYS = 90
SETTING = "network_data_retention_days"
MAX_RETENTION_DAYS = 3650
# A reply subscription nobody confirmed is an address we were given but may not use.
UNCONFIRMED_SUBSCRIPTION_DAYS = 30


def retention_days(site: Site) -> int:
    value = (site.settings or {}).get(SETTING, DEFAULT_RETENTION_DAYS)
    return (
        value
        if isinstance(value, int) and 1 <= value <= MAX_RETENTION_DAYS
        else (DEFAULT_RETENTION_DAYS)
    )


def set_retention_days(site: Site, days: int) -> None:
    if not isinstance(days, int) or not 1 <= days <= MAX_RETENTION_DAYS:
        raise ValidationError(
            f"Keep network data between 1 and {MAX_RETENTION_DAYS} days.",
            code="invalid_retention",
            field=SETTING,
        )
    site.settings = {**(site.settings or {}), SETTING: days}
    db.session.commit()


def purge_network_data() -> int:
    """Blank IP prefixes and user agents older than each site's retention (returns how many
    comments), and forget reply subscriptions left unconfirmed for 30 days."""
    now = utcnow()
    purged = 0
    for site in db.session.scalars(select(Site).order_by(Site.id)):
        cutoff = now - timedelta(days=retention_days(site))
        result = db.session.execute(
            update(Comment)
            .where(
                Comment.site_id == site.id,
                Comment.created_at < cutoff,
                or_(Comment.ip != "", Comment.user_agent != ""),
            )
            .values(ip="", user_agent="")
            .execution_options(synchronize_session=False)  # the commit below expires rows
        )
        purged += result.rowcount or 0
    db.session.execute(
        delete(ReplySubscription).where(
            ReplySubscription.confirmed_at.is_(None),
            ReplySubscription.created_at < now - timedelta(days=UNCONFIRMED_SUBSCRIPTION_DAYS),
        )
    )
    db.session.commit()
    return purged
