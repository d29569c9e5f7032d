"""Every table in one import, so Alembic and `db.create_all` see the whole schema.

Each table lives in its domain's `models.py`; this module only gathers them.
"""

from service.accounts.models import (
    ApiToken,
    Moderator,
    RefusedOrigin,
    SignedOutSession,
    Site,
    SiteMembership,
)
from service.comments.models import Comment, Thread
from service.moderation.models import ModerationEvent, SiteRule, TrustedAuthor
from service.notifications.models import NotificationLog, NotificationPreference, UsedActionLink
from service.porting.models import ImportedComment, ImportJob
from service.queue.models import ParkedTask
from service.replies.models import ReplyNotice, ReplySubscription, SuppressedAddress
from service.shares.models import ShareClick

__all__ = [
    "ApiToken",
    "Comment",
    "ImportedComment",
    "ImportJob",
    "ModerationEvent",
    "Moderator",
    "NotificationLog",
    "NotificationPreference",
    "ParkedTask",
    "ReplyNotice",
    "ReplySubscription",
    "RefusedOrigin",
    "ShareClick",
    "SignedOutSession",
    "Site",
    "SiteMembership",
    "SiteRule",
    "SuppressedAddress",
    "Thread",
    "TrustedAuthor",
    "UsedActionLink",
]
