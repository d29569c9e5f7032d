"""What a moderator's decision teaches the site's spam model: pure rules, no model loaded.

The web process applies these when a moderator decides and queues the lesson; only the
worker, which runs the lesson (learning.py), loads scikit-learn.
"""

from __future__ import annotations

from service import queue
from service.comments.models import Comment, Status

# The model's two labels (spam.model.LABELS holds the same strings).
SPAM, HAM = "spam", "ham"


def label_for_decision(from_status: str, to_status: str) -> str | None:
    """What a moderator's decision teaches: approve = ham, spam = spam, "not spam" = ham.

    A plain reject (off-topic, rude) says nothing about spam, so it teaches nothing.
    """
    if to_status == Status.APPROVED:
        return HAM
    if to_status == Status.SPAM:
        return SPAM
    if from_status == Status.SPAM and to_status == Status.PENDING:
        return HAM
    return None


def queue_lesson(comment: Comment, *, from_status: str, to_status: str) -> None:
    """After a moderator's decision: the site's model learns from it in the background."""
    label = label_for_decision(from_status, to_status)
    if label:
        queue.send(queue.LEARN_FROM_DECISION, comment.id, label)


def superseded(label: str, status: str) -> bool:
    """A lesson queued before a later decision on the same comment must not overwrite it.

    Tasks may be delivered late or twice (acks_late, retries), so "approve, then spam" can
    arrive as spam, then ham. The comment's status when the task runs is the latest word:
    a spam lesson is stale once the comment was approved or sent back as "not spam", a ham
    lesson once it was marked spam. Rejecting or deleting says nothing about spam, so
    neither makes a lesson stale.
    """
    if label == SPAM:
        return status in (Status.APPROVED, Status.PENDING)
    return status == Status.SPAM
