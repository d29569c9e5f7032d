"""Telling moderators about new comments: immediate e-mails, daily digests, webhooks, and the
signed single-use approve/reject links those e-mails carry.

Links are itsdangerous tokens (salted, timestamped) over comment id, action, moderator id and
a nonce. The approve and reject links for one comment in one e-mail share the nonce, so using
either spends both. Only a POST from the confirmation page acts; a GET never changes anything.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError

from service import queue
from service.accounts.models import Moderator, Site, SiteMembership
from service.comments.models import Comment, Status
from service.extensions import db
from service.http.errors import ApiError, ValidationError
from service.mail import external_url, send_mail
from service.notifications import webhooks
from service.notifications.models import (
    NotificationLog,
    NotificationPreference,
    NotifyMode,
    UsedActionLink,
)
from service.timeutil import utcnow

log = logging.getLogger(__name__)

LINK_SALT = "talkback.moderation.email-action"
LINK_ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED}
# A link acts only while the comment still waits for a decision; afterwards the dashboard
# (with its undo and audit log) is the place to change one's mind.
AWAITING_DECISION = (Status.PENDING, Status.SPAM)
DIGEST_MAX_COMMENTS = 100
ACTION_ENDPOINT = "notifications.confirm"
PREFERENCES_ENDPOINT = "notifications.preferences"


# --- preferences ---------------------------------------------------------------------------


def notification_mode(moderator_id: int, site_id: int) -> str:
    mode = db.session.scalar(
        select(NotificationPreference.mode).where(
            NotificationPreference.moderator_id == moderator_id,
            NotificationPreference.site_id == site_id,
        )
    )
    return mode or NotifyMode.DEFAULT


def set_notification_mode(moderator: Moderator, site: Site, mode: str) -> NotificationPreference:
    if mode not in NotifyMode.ALL:
        raise ValidationError(
            f"mode must be one of {', '.join(NotifyMode.ALL)}.", code="invalid_mode", field="mode"
        )
    preference = db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.moderator_id == moderator.id,
            NotificationPreference.site_id == site.id,
        )
    )
    if preference is None:
        preference = NotificationPreference(moderator_id=moderator.id, site_id=site.id)
        db.session.add(preference)
    preference.mode = mode
    db.session.commit()
    return preference


def recipients(site_id: int, mode: str) -> list[Moderator]:
    """Active moderators (any role) of the site whose preference for it is `mode`."""
    preference = (
        select(NotificationPreference.mode)
        .where(
            NotificationPreference.moderator_id == Moderator.id,
            NotificationPreference.site_id == site_id,
        )
        .scalar_subquery()
    )
    chosen = db.func.coalesce(preference, NotifyMode.DEFAULT)
    return list(
        db.session.scalars(
            select(Moderator)
            .join(SiteMembership, SiteMembership.moderator_id == Moderator.id)
            .where(SiteMembership.site_id == site_id, Moderator.is_active, chosen == mode)
            .order_by(Moderator.id)
        )
    )


# --- what a status change sets off ----------------------------------------------------------


def comment_routed(comment: Comment, to_status: str) -> None:
    """Subscribed to moderation's comment_routed: a new or edited comment found its place."""
    if to_status == Status.PENDING:
        queue.send(queue.NOTIFY_NEW_COMMENT, comment.id)
        _queue_webhook(comment, webhooks.COMMENT_NEW)
    elif to_status == Status.APPROVED:
        _queue_webhook(comment, webhooks.COMMENT_APPROVED)


def comment_moderated(comment: Comment, *, to_status: str, **_decision) -> None:
    """Subscribed to moderation's comment_moderated: a moderator's decision is committed."""
    if to_status == Status.APPROVED:
        _queue_webhook(comment, webhooks.COMMENT_APPROVED)


def _queue_webhook(comment: Comment, event: str) -> None:
    # Checked here so sites without a webhook never cost a task.
    if webhooks.webhook_config(comment.site):
        queue.send(queue.DELIVER_WEBHOOK, comment.site_id, event, comment.id)


# --- signed action links --------------------------------------------------------------------


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


# --- e-mails --------------------------------------------------------------------------------


def _entry(comment: Comment, moderator: Moderator) -> dict:
    return {"comment": comment, "links": action_urls(comment.id, moderator.id)}


def _claim(comment_ids: list[int], moderator_id: int, kind: str) -> bool:
    """Record the notifications inside the open transaction; False if already recorded.

    The unique key means a concurrent or repeated task blocks here and then fails, so a
    moderator is mailed once; the caller commits only after the mail has gone out.
    """
    try:
        db.session.add_all(
            NotificationLog(comment_id=cid, moderator_id=moderator_id, kind=kind)
            for cid in comment_ids
        )
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _send_claimed(to: str, subject: str, template: str, context: dict) -> None:
    """Send the mail whose _claim is pending, then commit the claim; undo it if sending fails.

    Undoing lets the task's retry mail this moderator again; earlier claims are committed.
    """
    try:
        send_mail(
            to,
            subject,
            render_template(f"{template}.txt", **context),
            render_template(f"{template}.html", **context),
        )
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()


def notify_new_comment(comment_id: int) -> int:
    """Mail each immediate-mode moderator of the comment's site once; return how many."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status != Status.PENDING:
        return 0
    if not current_app.config.get("MAIL_SERVER"):
        log.info("MAIL_SERVER is not set; no notification for comment %s", comment_id)
        return 0
    sent = 0
    for moderator in recipients(comment.site_id, NotifyMode.IMMEDIATE):
        moderator_id, email = moderator.id, moderator.email
        if not _claim([comment_id], moderator_id, NotifyMode.IMMEDIATE):
            continue
        context = {
            "site": comment.site,
            "moderator": moderator,
            "preferences_url": external_url(PREFERENCES_ENDPOINT),
            **_entry(comment, moderator),
        }
        subject = (
            f"[{comment.site.name}] New comment on {comment.thread.title or comment.thread.uri}"
        )
        _send_claimed(email, subject, "email/new_comment", context)
        sent += 1
    return sent


def digest_comments(moderator: Moderator) -> list[Comment]:
    """Comments awaiting review on the moderator's digest-mode sites, not yet in a digest."""
    sites = [
        m.site_id
        for m in moderator.memberships
        if notification_mode(moderator.id, m.site_id) == NotifyMode.DIGEST
    ]
    if not sites:
        return []
    already = exists().where(
        NotificationLog.comment_id == Comment.id,
        NotificationLog.moderator_id == moderator.id,
        NotificationLog.kind == NotifyMode.DIGEST,
    )
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.site_id.in_(sites), Comment.status == Status.PENDING, ~already)
            .order_by(Comment.site_id, Comment.id)
            .limit(DIGEST_MAX_COMMENTS + 1)
        )
    )


def send_digest(moderator_id: int) -> bool:
    moderator = db.session.get(Moderator, moderator_id)
    if moderator is None or not moderator.is_active:
        return False
    comments = digest_comments(moderator)
    if not comments:
        return False
    more = len(comments) > DIGEST_MAX_COMMENTS
    comments = comments[:DIGEST_MAX_COMMENTS]
    email = moderator.email
    entries = [_entry(comment, moderator) for comment in comments]
    if not _claim([c.id for c in comments], moderator_id, NotifyMode.DIGEST):
        return False
    context = {
        "moderator": moderator,
        "entries": entries,
        "more": more,
        "preferences_url": external_url(PREFERENCES_ENDPOINT),
    }
    subject = f"Talkback: {len(entries)}{'+' if more else ''} comment(s) awaiting review"
    _send_claimed(email, subject, "email/digest", context)
    return True


def send_daily_digests() -> int:
    """Mail every digest-mode moderator the comments that arrived since their last digest."""
    if not current_app.config.get("MAIL_SERVER"):
        log.info("MAIL_SERVER is not set; no digests")
        return 0
    moderator_ids = db.session.scalars(
        select(NotificationPreference.moderator_id)
        .where(NotificationPreference.mode == NotifyMode.DIGEST)
        .distinct()
    ).all()
    sent = sum(send_digest(moderator_id) for moderator_id in moderator_ids)
    purge_used_links()
    return sent
