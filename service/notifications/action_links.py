"""The signed, single-use approve/reject links in moderators' e-mails.

Links are itsdangerous tokens (salted, timestamped) over comment id, action, moderator id and
a nonce. The approve and reject links for one comment in one e-mail share the nonce, so using
either spends both. Only a POST from the confirmation page acts; a GET never changes anything.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError

from service.accounts.models import Moderator
from service.comments.models import Comment, Status
from service.extensions import db
from service.http.errors import ApiError
from service.mail import external_url
from service.notifications.models import UsedActionLink
from service.timeutil import utcnow

LINK_SALT = "talkback.moderation.email-action"
LINK_ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED}
# A link acts only while the comment still waits for a decision; afterwards the dashboard
# (with its undo and audit log) is the place to change one's mind.
AWAITING_DECISION = (Status.PENDING, Status.SPAM)
ACTION_ENDPOINT = "notifications.confirm"


@dataclass(frozen=True)
class ActionLink:
    comment_id: int
    action: str
    moderator_id: int
    nonce: str


class ActionLinkError(ApiError):
    """Why a link cannot be used; rendered as an HTML page, never as a 500."""

    status = 400
    code = "bad_link"
    title = "This link cannot be used"

    def __init__(self, message: str, *, code: str, status: int, title: str):
        super().__init__(message, code=code)
        self.status = status
        self.title = title


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def make_action_token(comment_id: int, action: str, moderator_id: int, nonce: str) -> str:
    return _serializer().dumps({"c": comment_id, "a": action, "m": moderator_id, "n": nonce})


def action_urls(comment_id: int, moderator_id: int) -> dict[str, str]:
    """One approve and one reject URL sharing a fresh nonce."""
    nonce = secrets.token_urlsafe(16)
    return {
        action: external_url(
            ACTION_ENDPOINT, token=make_action_token(comment_id, action, moderator_id, nonce)
        )
        for action in LINK_ACTIONS
    }


def _link_used() -> ActionLinkError:
    return ActionLinkError(
        "This link has already been used: each link in a notification e-mail works once.",
        code="link_used",
        status=410,
        title="This link was already used",
    )


def _link_invalid(message: str) -> ActionLinkError:
    return ActionLinkError(message, code="link_invalid", status=400, title="This link is not valid")


def read_action_token(token: str) -> ActionLink:
    """Check signature and age, nothing else; raise ActionLinkError with the reason."""
    max_age = current_app.config["ACTION_LINK_MAX_AGE_SECONDS"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise ActionLinkError(
            f"Links in notification e-mails work for {max_age // 86400 or 1} day(s); this one "
            "has expired. Open the moderation queue to decide on the comment.",
            code="link_expired",
            status=410,
            title="This link has expired",
        ) from error
    except BadSignature as error:
        raise _link_invalid(
            "The link is damaged or was not issued by this server. Copy the whole link from "
            "the e-mail, or open the moderation queue."
        ) from error
    try:
        link = ActionLink(int(data["c"]), str(data["a"]), int(data["m"]), str(data["n"]))
    except (KeyError, TypeError, ValueError) as error:
        raise _link_invalid("The link is not a moderation link.") from error
    if link.action not in LINK_ACTIONS:
        raise _link_invalid("The link names an unknown action.")
    return link


@dataclass(frozen=True)
class PendingAction:
    link: ActionLink
    comment: Comment
    moderator: Moderator

    @property
    def to_status(self) -> str:
        return LINK_ACTIONS[self.link.action]


def check_action_link(token: str) -> PendingAction:
    """Everything that must hold before a link may act, checked again on the POST."""
    link = read_action_token(token)
    if db.session.scalar(select(exists().where(UsedActionLink.nonce == link.nonce))):
        raise _link_used()
    moderator = db.session.get(Moderator, link.moderator_id)
    comment = db.session.get(Comment, link.comment_id)
    if comment is None or comment.status == Status.DELETED:
        raise ActionLinkError(
            "The comment no longer exists.",
            code="comment_gone",
            status=410,
            title="The comment is gone",
        )
    if (
        moderator is None
        or not moderator.is_active
        or not any(m.site_id == comment.site_id for m in moderator.memberships)
    ):
        raise ActionLinkError(
            "You no longer moderate the site this comment belongs to, so this link was "
            "switched off.",
            code="not_a_moderator",
            status=403,
            title="You no longer moderate this site",
        )
    if comment.status not in AWAITING_DECISION:
        raise ActionLinkError(
            f"The comment was already {comment.status}, so this link no longer applies. "
            "Use the moderation queue to change a decision.",
            code="already_decided",
            status=409,
            title=f"The comment is already {comment.status}",
        )
    return PendingAction(link, comment, moderator)


def act_on_link(token: str) -> PendingAction:
    """Spend the link's nonce and apply its decision as the moderator it was sent to."""
    # Imported here because services imports this module to announce status changes.
    from service.moderation.services import moderate

    pending = check_action_link(token)
    link = pending.link
    try:
        db.session.add(
            UsedActionLink(
                nonce=link.nonce,
                comment_id=link.comment_id,
                moderator_id=link.moderator_id,
                action=link.action,
            )
        )
        # Flush now: a concurrent POST of the same link fails here, not after acting.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _link_used() from None
    moderate(pending.comment, pending.to_status, pending.moderator, "via e-mail link")
    return pending


def purge_used_links() -> int:
    """Forget nonces of links that have expired anyway."""
    max_age = timedelta(seconds=current_app.config["ACTION_LINK_MAX_AGE_SECONDS"])
    result = db.session.execute(
        delete(UsedActionLink).where(UsedActionLink.used_at < utcnow() - max_age)
    )
    db.session.commit()
    return result.rowcount or 0
