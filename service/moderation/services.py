"""The comment state machine and the processing pipeline the worker runs."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from service import queue
from service.accounts.models import ModerationPolicy, Moderator, Site
from service.comments.models import Comment, Status
from service.errors import Conflict
from service.extensions import db
from service.moderation import notifications, spam
from service.moderation.models import ModerationEvent
from service.moderation.sanitise import count_links, render_comment
from service.timeutil import utcnow

log = logging.getLogger(__name__)

# Every legal move. `received` is only left by the pipeline; `deleted` is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.PENDING, Status.SPAM, Status.APPROVED, Status.DELETED}),
    Status.PENDING: frozenset({Status.APPROVED, Status.REJECTED, Status.SPAM, Status.DELETED}),
    Status.SPAM: frozenset({Status.PENDING, Status.APPROVED, Status.REJECTED, Status.DELETED}),
    # Approved and rejected may be reconsidered (an undo, or a late spam report).
    Status.APPROVED: frozenset({Status.PENDING, Status.REJECTED, Status.SPAM, Status.DELETED}),
    Status.REJECTED: frozenset({Status.PENDING, Status.APPROVED, Status.SPAM, Status.DELETED}),
    Status.DELETED: frozenset(),
}
DUPLICATE_WINDOW = timedelta(days=3)


class IllegalTransition(Conflict):
    code = "illegal_transition"


def transition(
    comment: Comment, to_status: str, *, actor: Moderator | None = None, reason: str = ""
) -> ModerationEvent:
    """The one way a comment changes status; refuses illegal moves and records an event."""
    from_status = comment.status
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise IllegalTransition(f"A {from_status} comment cannot become {to_status}.")
    comment.status = to_status
    event = ModerationEvent(
        comment_id=comment.id,
        site_id=comment.site_id,
        actor_id=actor.id if actor else None,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:500],
    )
    db.session.add(event)
    return event


def gather_features(comment: Comment, html: str) -> spam.CommentFeatures:
    since = utcnow() - DUPLICATE_WINDOW
    duplicate = db.session.scalar(
        select(Comment.id)
        .where(
            Comment.site_id == comment.site_id,
            Comment.id != comment.id,
            Comment.text == comment.text,
            Comment.created_at >= since,
        )
        .limit(1)
    )
    blocked = comment.site.settings.get("blocked_words", []) if comment.site.settings else []
    return spam.CommentFeatures(
        text=comment.text,
        author=comment.author_name,
        email=comment.email,
        website=comment.website,
        link_count=count_links(html),
        honeypot_filled=bool(comment.signals.get("honeypot_filled")),
        duplicate_of_recent=duplicate is not None,
        blocked_words=tuple(blocked),
    )


def decide_status(site: Site, score: float) -> str:
    if score >= site.spam_at:
        return Status.SPAM
    if site.moderation_policy == ModerationPolicy.POST_MODERATION:
        return Status.APPROVED
    auto_approve = site.moderation_policy == ModerationPolicy.AUTO_APPROVE_LOW_SCORE
    if auto_approve and score < site.approve_below:
        return Status.APPROVED
    return Status.PENDING


def process_comment(comment_id: int) -> str | None:
    """Render, sanitise, score and route one comment. A second delivery does nothing."""
    comment = db.session.get(Comment, comment_id, with_for_update=True)
    if comment is None or comment.status != Status.RECEIVED:
        db.session.rollback()
        return None
    comment.html = render_comment(comment.text)
    score, reasons = spam.score(gather_features(comment, comment.html))
    comment.spam_score = score
    comment.spam_reasons = [reason.to_dict() for reason in reasons]
    to_status = decide_status(comment.site, score)
    transition(comment, to_status, reason=f"pipeline: spam score {score:.2f}")
    db.session.commit()
    notifications.comment_routed(comment, to_status)
    return to_status


def resend_stuck_comments(limit: int = 500) -> list[int]:
    """Re-send comments whose task was lost (broker down, Redis restarted, worker killed)."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["STUCK_AFTER_SECONDS"])
    stuck = db.session.scalars(
        select(Comment.id)
        .where(Comment.status == Status.RECEIVED, Comment.created_at < cutoff)
        .order_by(Comment.id)
        .limit(limit)
    ).all()
    for comment_id in stuck:
        if not queue.send(queue.PROCESS_COMMENT, comment_id):
            break
    if stuck:
        log.info("re-sent %d stuck comments", len(stuck))
    return list(stuck)


def moderation_queue(
    site_ids: set[int], *, status: str = Status.PENDING, limit: int = 50, offset: int = 0
) -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.site_id.in_(site_ids), Comment.status == status)
            .order_by(Comment.spam_score.desc().nulls_last(), Comment.id)
            .limit(limit)
            .offset(offset)
        )
    )


def moderate(comment: Comment, to_status: str, actor: Moderator, reason: str = "") -> Comment:
    transition(comment, to_status, actor=actor, reason=reason)
    db.session.commit()
    notifications.comment_moderated(comment, to_status)
    return comment
