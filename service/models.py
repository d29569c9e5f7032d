"""Every table in one import, so Alembic and `db.create_all` see the whole schema.

Each table lives in its domain's `models.py`; this module only gathers them.
"""

from service.accounts.models import ApiToken, Moderator, SignedOutSession, Site, SiteMembership
from service.comments.models import Comment, Thread
from service.moderation.models import ModerationEvent, SiteRule, TrustedAuthor
from service.notifications.models import NotificationLog, NotificationPreference, UsedActionLink
from service.queue.models import ParkedTask
from service.shares.models import ShareClick

__all__ = [
    "ApiToken",
    "Comment",
    "ModerationEvent",
    "Moderator",
    "NotificationLog",
    "NotificationPreference",
    "ParkedTask",
    "ShareClick",
    "SignedOutSession",
    "Site",
    "SiteMembership",
    "SiteRule",
    "Thread",
    "TrustedAuthor",
    "UsedActionLink",
]
