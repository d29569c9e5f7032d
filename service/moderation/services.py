"""The comment state machine and the processing pipeline the worker runs."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from service import queue
from service.accounts.models import ModerationPolicy, Moderator, Site
from service.comments.models import Comment, Status
from service.extensions import db
from service.http.errors import Conflict
from service.moderation import events, trusted
from service.moderation.models import ModerationEvent, SiteRule
from service.moderation.rules import Rule, RuleKind, RuleSubject, match_rules
from service.moderation.sanitise import count_links, plain_text_html, render_comment
from service.queue import contents
from service.spam import learning as spam_learning
from service.spam import links, policy
from service.spam import scoring as spam
from service.timeutil import as_utc, utcnow

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
# Starts of processing before a comment is held for a moderator unprocessed (see above).
MAX_PROCESS_ATTEMPTS = 10
DUPLICATE_WINDOW = timedelta(days=3)
DUPLICATE_CANDIDATES = 100
FLOOD_WINDOW = timedelta(minutes=1)


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
    """Everything the pure scorer needs to know about a comment, read from the database."""
    site = comment.site
    created = as_utc(comment.created_at or utcnow())
    earlier = (Comment.site_id == comment.site_id, Comment.id != comment.id)
    recent_texts = db.session.scalars(
        select(Comment.text)
        .where(*earlier, Comment.created_at >= created - DUPLICATE_WINDOW)
        .order_by(Comment.id.desc())
        .limit(DUPLICATE_CANDIDATES)
    ).all()
    last_minute = (*earlier, Comment.created_at.between(created - FLOOD_WINDOW, created))
    from_network = from_email = 0
    if comment.ip:
        from_network = db.session.scalar(
            select(func.count()).where(*last_minute, Comment.ip == comment.ip)
        )
    if comment.email:
        from_email = db.session.scalar(
            select(func.count()).where(
                *last_minute, func.lower(Comment.email) == comment.email.lower()
            )
        )
    site_rules = db.session.scalars(select(SiteRule).where(SiteRule.site_id == site.id)).all()
    # The foundation's `blocked_words` setting, kept as whole-word block rules.
    legacy = [
        Rule(RuleKind.WORD, w.casefold()) for w in (site.settings or {}).get("blocked_words", [])
    ]
    subject = RuleSubject(
        comment.text, comment.author_name, comment.email, comment.website, comment.ip
    )
    signals = comment.signals or {}
    verdict = spam_learning.model_verdict(site.slug, comment.text)
    # The blog's own pages are never a suspicious link, nor what its moderators approved.
    own = tuple(links.registered_domain(links.host_of(o)) for o in site.allowed_origins or ())
    return spam.CommentFeatures(
        text=comment.text,
        author=comment.author_name,
        email=comment.email,
        website=comment.website,
        link_count=count_links(html),
        honeypot_filled=bool(signals.get("honeypot_filled")),
        form_token=signals.get("form_token"),
        form_age_seconds=signals.get("form_age_seconds"),
        form_min_seconds=current_app.config["FORM_MIN_SECONDS"],
        recent_from_network=from_network,
        recent_from_email=from_email,
        recent_texts=tuple(recent_texts),
        rule_hits=tuple(match_rules([*site_rules, *legacy], subject)),
        model_probability=verdict.probability if verdict else None,
        model_nearest=verdict.nearest if verdict else None,
        model_drivers=verdict.drivers if verdict else (),
        trusted_domains=own + (verdict.trusted_domains if verdict else ()),
        spam_domains=verdict.spam_domains if verdict else (),
    )


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


def route_comment(comment: Comment) -> tuple[str, float]:
    """Render, sanitise and score a comment, and say where it belongs now.

    Shared by the pipeline and by author edits, so an edited comment is judged exactly as
    a new one. Verified trusted authors skip the queue, but never the spam folder.
    """
    comment.html = render_comment(comment.text)
    features = gather_features(comment, comment.html)
    score, reasons = spam.score(features)
    to_status = decide_status(comment.site, score, reasons, features.model_nearest)
    if to_status != Status.SPAM and score >= comment.site.spam_at:
        reasons.append(policy.held_reason(score, reasons, comment.site.spam_at))
    reasons.append(spam.lesson_reason(features))
    comment.spam_score = score
    comment.spam_reasons = [reason.to_dict() for reason in reasons]
    if to_status == Status.PENDING and trusted.is_trusted(comment.site_id, comment.email):
        to_status = Status.APPROVED
    return to_status, score


def process_comment(comment_id: int) -> str | None:
    """Render, sanitise, score and route one comment. A second delivery does nothing.

    Each start is counted first, in its own commit, so a comment that makes processing
    fail (a renderer bug, say) is not re-sent by the sweep for ever: past
    MAX_PROCESS_ATTEMPTS it is held for a moderator as plain text.
    """
    db.session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.status == Status.RECEIVED)
        .values(process_attempts=Comment.process_attempts + 1)
    )
    db.session.commit()
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
    lost = set(contents.lost_comment_ids([c.id for c in stuck], stuck_after)) if stuck else set()
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
