"""Every model in one import, so Alembic and `db.create_all` see the whole schema."""

from service.accounts.models import ApiToken, Moderator, Site, SiteMembership
from service.comments.models import Comment, Thread
from service.moderation.models import ModerationEvent, SiteRule, TrustedAuthor
from service.notifications.models import (
    NotificationLog,
    NotificationPreference,
    UsedActionLink,
)
from service.shares.models import ShareClick

__all__ = [
    "ApiToken",
    "Comment",
    "ModerationEvent",
    "Moderator",
    "NotificationLog",
    "NotificationPreference",
    "Site",
    "ShareClick",
    "SiteMembership",
    "SiteRule",
    "Thread",
    "TrustedAuthor",
    "UsedActionLink",
]
