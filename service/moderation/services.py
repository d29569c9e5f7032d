"""The comment state machine: the one transition function, moderators' decisions, the sweep.

The processing pipeline (rendering, scoring, routing) is in pipeline.py: it needs the spam
model, which only worker processes load.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from service import queue
from service.accounts.models import Moderator
from service.comments.models import Comment, Status
from service.extensions import db
from service.http.errors import Conflict
from service.moderation import events
from service.moderation.models import ModerationEvent
from service.queue import contents
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


def resend_stuck_comments(limit: int = 500) -> list[int]:
    """Re-send comments whose task was lost (broker down, Redis restarted, worker killed).

    Rows are claimed with FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has one writer), so
    sweeps running at once re-send disjoint rows and skip a comment being processed; and
    only comments whose message the broker no longer holds are re-sent, not those waiting
    behind a backlog (service/queue/contents.py).
    """
    now = utcnow()
    stuck_after = current_app.config["STUCK_AFTER_SECONDS"]
    stuck = db.session.scalars(
        select(Comment)
        .where(
            Comment.status == Status.RECEIVED,
            func.coalesce(Comment.queued_at, Comment.created_at)
            < now - timedelta(seconds=stuck_after),
        )
        .order_by(Comment.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    lost = set()
    if stuck:
        # With wake-ups, a comment never tried waits for any message held, not its own only.
        never_tried = [comment.id for comment in stuck if comment.process_attempts == 0]
        lost = set(contents.lost_comment_ids([c.id for c in stuck], stuck_after, never_tried))
    sent = []
    for comment in stuck:
        if comment.id not in lost:
            continue
        if not queue.send(queue.PROCESS_COMMENT, comment.id):
            break
        sent.append(comment.id)
        comment.queued_at = now
    db.session.commit()
    if sent:
        log.info("re-sent %d stuck comments", len(sent))
    return sent


def moderate(comment: Comment, to_status: str, actor: Moderator, reason: str = "") -> Comment:
    event = transition(comment, to_status, actor=actor, reason=reason)
    db.session.commit()
    events.comment_moderated.send(comment, from_status=event.from_status, to_status=to_status)
    return comment
