"""The processing pipeline the worker runs: render, sanitise, score and route comments.

Only worker processes import this module (and through it the spam model, scikit-learn and
numpy): the web answers readers without them.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from service import queue
from service.accounts.models import ModerationPolicy, Site
from service.comments.models import Comment, Status
from service.extensions import db
from service.moderation import events
from service.moderation import features as features_db
from service.moderation.authoring import EDIT_REASON
from service.moderation.features import gather_features
from service.moderation.models import ModerationEvent
from service.moderation.sanitise import plain_text_html, render_comment
from service.moderation.services import transition
from service.spam import policy
from service.spam import scoring as spam
from service.timeutil import as_utc

log = logging.getLogger(__name__)

# Starts of processing before a comment is held for a moderator unprocessed (see below).
MAX_PROCESS_ATTEMPTS = 10
# How many batch-routed ids a process remembers: more than one backlog's worth of tasks.
ROUTED_MEMORY = 20_000
# Full batches one wake-up drains before it queues another (see drain_waiting).
MAX_DRAIN_BATCHES = 20


def decide_status(
    site: Site, score: float, reasons: list[spam.Reason] | None = None, nearest=None
) -> str:
    """Spam folder, queue or published; with reasons, the folder needs evidence (policy.py)."""
    if score >= site.spam_at:
        if reasons is None or policy.to_spam_folder(score, reasons, site.spam_at, nearest):
            return Status.SPAM
        return Status.PENDING  # past the threshold on weak evidence: a moderator decides
    if site.moderation_policy == ModerationPolicy.POST_MODERATION:
        return Status.APPROVED
    auto_approve = site.moderation_policy == ModerationPolicy.AUTO_APPROVE_LOW_SCORE
    if auto_approve and score < site.approve_below:
        return Status.APPROVED
    return Status.PENDING


def route_comments(comments: list[Comment]) -> dict[int, tuple[str, float]]:
    """Render, sanitise and score comments, and say where each belongs now.

    Shared by the pipeline and by author edits, so an edited comment is judged exactly as
    a new one. Verified trusted authors skip the queue, but never the spam folder.
    """
    for comment in comments:
        comment.html = render_comment(comment.text)
    features = gather_features(comments)
    trusted_senders = features_db.trusted_senders(comments)
    routes = {}
    for comment in comments:
        found = features[comment.id]
        score, reasons = spam.score(found)
        to_status = decide_status(comment.site, score, reasons, found.model_nearest)
        if to_status != Status.SPAM and score >= comment.site.spam_at:
            reasons.append(policy.held_reason(score, reasons, comment.site.spam_at))
        reasons.append(spam.lesson_reason(found))
        comment.spam_score = score
        comment.spam_reasons = [reason.to_dict() for reason in reasons]
        sender = (comment.site_id, comment.email.strip().lower())
        if to_status == Status.PENDING and sender in trusted_senders:
            to_status = Status.APPROVED
        routes[comment.id] = (to_status, score)
    return routes


def route_comment(comment: Comment) -> tuple[str, float]:
    return route_comments([comment])[comment.id]


def process_comment(comment_id: int, *, drain: bool = False) -> str | None:
    """Render, sanitise, score and route a comment. A second delivery does nothing.

    Each start is counted first, in its own commit, so a comment that makes processing
    fail (a renderer bug, say) is not re-sent by the sweep for ever: past
    MAX_PROCESS_ATTEMPTS it is held for a moderator as plain text.

    On its first attempt the comment takes along up to BATCH_SIZE - 1 others that are
    waiting and were never tried, and all are routed in one transaction (their own tasks
    then find them done). Should the batch fail, nothing of it is kept and the comment is
    processed alone, so one bad comment never fails or counts against its neighbours.

    With `drain` (the message was a wake-up, queue.announce_new_comment, taken with
    queue.take_wake_up) every never-tried comment waiting is routed too, even when this
    one fails: most of them have no message of their own. A batch claim that came back
    short has seen them all already.
    """
    took_all_waiting = False
    try:
        status, took_all_waiting = _process_own(comment_id)
        return status
    finally:
        if drain and not took_all_waiting:
            drain_waiting()


def _process_own(comment_id: int) -> tuple[str | None, bool]:
    """Where the comment went (None: nowhere new), and whether its batch took every
    never-tried comment waiting."""
    if comment_id in _routed_here():
        return None, False  # the common case under load: a batch in this process has taken it
    attempts = _count_attempt(comment_id)
    if attempts is None:
        return None, False  # a batch in another process has taken it
    if attempts == 1 and current_app.config["PIPELINE_BATCH_SIZE"] > 1:
        try:
            return _process_batch(comment_id)
        except Exception:  # noqa: BLE001 - retried alone below, where a failure counts
            db.session.rollback()
            log.warning("batch around comment %s failed; processing it alone", comment_id)
    return _process_one(comment_id), False


def _count_attempt(comment_id: int) -> int | None:
    """Count a start of processing, in its own commit; None if the comment is not waiting."""
    attempts = db.session.scalar(
        update(Comment)
        .where(Comment.id == comment_id, Comment.status == Status.RECEIVED)
        .values(process_attempts=Comment.process_attempts + 1)
        .returning(Comment.process_attempts)
    )
    db.session.commit()
    return attempts


def _process_batch(comment_id: int) -> tuple[str | None, bool]:
    comment = db.session.get(Comment, comment_id, with_for_update=True, populate_existing=True)
    if comment is None or comment.status != Status.RECEIVED:
        db.session.rollback()
        return None, False
    room = current_app.config["PIPELINE_BATCH_SIZE"] - 1
    others = _claim_waiting(room, besides=comment_id)
    return _route_batch([comment, *others])[comment_id], len(others) < room


def drain_waiting() -> int:
    """Route the never-tried comments waiting, a batch at a time, until a claim comes back
    short; returns how many were claimed. A full batch announces the rest as new comments
    are announced (at most one wake-up on its way), so an idle worker process joins in,
    and after MAX_DRAIN_BATCHES this one leaves them to that wake-up: other tasks get
    their turn during a long burst.

    A batch that fails is routed again one comment at a time, each start counted, so the
    comment that broke it fails alone and is never claimed by a batch again (the sweep
    sends it again, up to MAX_PROCESS_ATTEMPTS). A database that went away ends the drain:
    the task is retried, and drains again.
    """
    size = current_app.config["PIPELINE_BATCH_SIZE"]
    claimed = 0
    for _ in range(MAX_DRAIN_BATCHES):
        batch = _claim_waiting(size)
        if not batch:
            db.session.rollback()  # ends the claiming transaction
            return claimed
        claimed += len(batch)
        ids = [comment.id for comment in batch]
        try:
            _route_batch(batch)
        except Exception:  # noqa: BLE001 - each is tried alone below, where a failure counts
            db.session.rollback()
            log.warning("a batch of %d waiting comments failed; routing them one by one", len(ids))
            _process_each_alone(ids)
        if len(batch) < size:
            return claimed
        queue.announce_new_comment(ids[-1])
    return claimed


def _process_each_alone(comment_ids: list[int]) -> None:
    for comment_id in comment_ids:
        try:
            if _count_attempt(comment_id) is not None:
                _process_one(comment_id)
        except OperationalError:
            raise  # the database, not the comment: the task is retried
        except Exception:  # noqa: BLE001 - counted against this comment alone
            db.session.rollback()
            log.exception("comment %s failed processing; the sweep sends it again", comment_id)


def _claim_waiting(limit: int, besides: int | None = None) -> list[Comment]:
    """Lock up to `limit` never-tried waiting comments, oldest first. Rows another worker
    holds are skipped, not waited for (PostgreSQL; SQLite has one writer)."""
    waiting = select(Comment).where(
        Comment.status == Status.RECEIVED, Comment.process_attempts == 0
    )
    if besides is not None:
        waiting = waiting.where(Comment.id != besides)
    claim = waiting.order_by(Comment.id).limit(limit).with_for_update(skip_locked=True)
    return list(db.session.scalars(claim))


def _route_batch(batch: list[Comment]) -> dict[int, str]:
    """Route a claimed batch in one transaction; the status each comment went to."""
    routes = route_comments(batch)
    for each in batch:
        to_status, score = routes[each.id]
        transition(each, to_status, reason=f"pipeline: spam score {score:.2f}")
    _commit_keeping_loaded(db.session())
    _remember_routed(each.id for each in batch)
    with events.sent_together():
        for each in batch:
            events.comment_routed.send(each, to_status=routes[each.id][0])
    return {comment_id: to_status for comment_id, (to_status, _score) in routes.items()}


def _routed_here() -> OrderedDict[int, None]:
    """Ids this process routed in a batch lately, per app (tests run many apps, one database
    each): their own tasks then need no query to find out they are done."""
    return current_app.extensions.setdefault("talkback_routed_here", OrderedDict())


def _remember_routed(comment_ids: Iterable[int]) -> None:
    routed = _routed_here()
    routed.update(dict.fromkeys(comment_ids))
    while len(routed) > ROUTED_MEMORY:
        routed.popitem(last=False)


def _commit_keeping_loaded(session: Session) -> None:
    """Commit without expiring what is loaded: this transaction wrote the batch's rows, and
    re-reading each one to hand its id to the notifications would cost a SELECT apiece."""
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _process_one(comment_id: int) -> str | None:
    comment = db.session.get(Comment, comment_id, with_for_update=True, populate_existing=True)
    if comment is None or comment.status != Status.RECEIVED:
        db.session.rollback()
        return None
    if comment.process_attempts > MAX_PROCESS_ATTEMPTS:
        return _hold_unprocessable(comment)
    to_status, score = route_comment(comment)
    transition(comment, to_status, reason=f"pipeline: spam score {score:.2f}")
    db.session.commit()
    events.comment_routed.send(comment, to_status=to_status)
    return to_status


def _hold_unprocessable(comment: Comment) -> str:
    attempts = comment.process_attempts - 1
    log.error("comment %s failed processing %d times; held for a moderator", comment.id, attempts)
    comment.html = plain_text_html(comment.text)
    comment.spam_score = None
    comment.spam_reasons = [
        spam.Reason(
            "processing_failed",
            0.0,
            f"The pipeline failed on this comment {attempts} times, so it was not scored; "
            "it is shown as plain text and waits for a moderator.",
        ).to_dict()
    ]
    transition(comment, Status.PENDING, reason=f"pipeline: failed {attempts} times")
    db.session.commit()
    events.comment_routed.send(comment, to_status=Status.PENDING)
    return Status.PENDING


def route_edited_comment(comment_id: int, was_status: str) -> str | None:
    """Score and route a comment again after its author edited it (see edit_own_comment).

    A moderator's decision taken after the edit is the latest word and stays; a second
    delivery routes to the same place and so changes nothing.
    """
    comment = db.session.get(Comment, comment_id, with_for_update=True, populate_existing=True)
    routable = comment is not None and comment.status in (Status.PENDING, Status.APPROVED)
    if not routable or _decided_after_edit(comment):
        db.session.rollback()
        return None
    to_status, score = route_comment(comment)
    if to_status != comment.status:
        transition(comment, to_status, reason=f"{EDIT_REASON}: spam score {score:.2f}")
    db.session.commit()
    if to_status != was_status:
        # Back in the queue (or newly published): tell moderators as for a new comment.
        events.comment_routed.send(comment, to_status=to_status)
    return to_status


def _decided_after_edit(comment: Comment) -> bool:
    if comment.edited_at is None:
        return False
    decided_at = db.session.scalar(
        select(func.max(ModerationEvent.created_at)).where(
            ModerationEvent.comment_id == comment.id, ModerationEvent.actor_id.is_not(None)
        )
    )
    return decided_at is not None and as_utc(decided_at) > as_utc(comment.edited_at)
