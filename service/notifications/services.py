"""Telling moderators about new comments: preferences, immediate e-mails, daily digests and
webhooks. The approve/reject links those e-mails carry are in `action_links.py`."""

from __future__ import annotations

import logging

from flask import current_app, render_template
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from service import queue
from service.accounts.models import Moderator, Site, SiteMembership
from service.comments.models import Comment, Status
from service.extensions import db
from service.http.errors import ValidationError
from service.mail import external_url, send_mail
from service.moderation import events
from service.notifications import webhooks
from service.notifications.action_links import action_urls, purge_used_links
from service.notifications.models import (
    NotificationLog,
    NotificationPreference,
    NotifyMode,
)

log = logging.getLogger(__name__)

DIGEST_MAX_COMMENTS = 100
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
        # A query (once per site for a batch) instead of a task: a busy site whose moderators
        # read digests (or nobody's inbox) would otherwise cost the worker one more message
        # per comment.
        if events.once(("mail-at-once", comment.site_id), lambda: _anyone_mailed_at_once(comment)):
            queue.send(queue.NOTIFY_NEW_COMMENT, comment.id)
        _queue_webhook(comment, webhooks.COMMENT_NEW)
    elif to_status == Status.APPROVED:
        _queue_webhook(comment, webhooks.COMMENT_APPROVED)


def _anyone_mailed_at_once(comment: Comment) -> bool:
    return bool(recipients(comment.site_id, NotifyMode.IMMEDIATE))


def comment_moderated(comment: Comment, *, to_status: str, **_decision) -> None:
    """Subscribed to moderation's comment_moderated: a moderator's decision is committed."""
    if to_status == Status.APPROVED:
        _queue_webhook(comment, webhooks.COMMENT_APPROVED)


def _queue_webhook(comment: Comment, event: str) -> None:
    # Checked here so sites without a webhook never cost a task.
    if webhooks.webhook_config(comment.site):
        queue.send(queue.DELIVER_WEBHOOK, comment.site_id, event, comment.id)


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
