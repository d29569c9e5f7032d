"""Every model in one import, so Alembic and `db.create_all` see the whole schema."""

from service.accounts.models import ApiToken, Moderator, Site, SiteMembership
from service.comments.models import Comment, Thread
from service.moderation.models import ModerationEvent

__all__ = [
    "ApiToken",
    "Comment",
    "ModerationEvent",
    "Moderator",
    "Site",
    "SiteMembership",
    "Thread",
]
