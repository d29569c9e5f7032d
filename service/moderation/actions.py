"""Moderators' decisions from the dashboard and the API: single, bulk, undo, and edits.

Every status change goes through `services.moderate`, so the dashboard, the API and the
e-mailed links share one state machine, one audit trail and the same follow-ups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from service.accounts.models import Moderator
from service.comments.models import Comment, Status
from service.extensions import db
from service.http.errors import ValidationError
from service.moderation import queue as moderation_queue
from service.moderation.models import ModerationEvent
from service.moderation.sanitise import render_comment
from service.moderation.services import TRANSITIONS, moderate

# The undo stack lives in the signed session cookie (about 4 KB), so it stays small.
UNDO_DEPTH = 10
UNDO_MAX_COMMENTS = 100


@dataclass(frozen=True)
class Action:
    name: str
    to_status: str
    label: str
    key: str = ""

    def applies_to(self, status: str) -> bool:
        return self.to_status in TRANSITIONS.get(status, frozenset())


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("approve", Status.APPROVED, "Approve", "a"),
        Action("reject", Status.REJECTED, "Reject", "r"),
        Action("spam", Status.SPAM, "Spam", "s"),
        Action("ham", Status.PENDING, "Not spam"),
        Action("delete", Status.DELETED, "Delete"),
    )
}


def actions_for(status: str) -> list[Action]:
    """The buttons a comment in this status gets; `ham` only makes sense in the spam folder."""
    return [
        action
        for action in ACTIONS.values()
        if action.applies_to(status) and (action.name != "ham" or status == Status.SPAM)
    ]


@dataclass
class ActionResult:
    action: str
    changed: list[tuple[int, str]] = field(default_factory=list)
    skipped: int = 0

    def undo_entry(self) -> dict | None:
        """What the session keeps to undo this: grouped by previous status, ids only."""
        if not self.changed or self.action == "delete" or len(self.changed) > UNDO_MAX_COMMENTS:
            return None
        groups: dict[str, list[int]] = {}
        for comment_id, from_status in self.changed:
            groups.setdefault(from_status, []).append(comment_id)
        return {"a": self.action, "to": ACTIONS[self.action].to_status, "from": groups}


def _visible_comments(ids: Iterable[int], site_ids: set[int]) -> list[Comment]:
    ids = list(dict.fromkeys(ids))
    if not ids or not site_ids:
        return []
    found: list[Comment] = []
    for start in range(0, len(ids), moderation_queue.BULK_BATCH):
        chunk = ids[start : start + moderation_queue.BULK_BATCH]
        found.extend(
            db.session.scalars(
                select(Comment).where(Comment.id.in_(chunk), Comment.site_id.in_(site_ids))
            )
        )
    order = {comment_id: index for index, comment_id in enumerate(ids)}
    return sorted(found, key=lambda comment: order[comment.id])


def comment_for_moderator(comment_id: int, site_ids: set[int]) -> Comment | None:
    """A comment this moderator may see; other sites' comments look missing, not forbidden."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.site_id not in site_ids:
        return None
    return comment


def apply_action(
    moderator: Moderator, action_name: str, ids: Iterable[int], site_ids: set[int], reason: str = ""
) -> ActionResult:
    """Move each visible comment; illegal moves are counted as skipped, not fatal."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise ValidationError("Unknown action.", code="unknown_action", field="action")
    result = ActionResult(action_name)
    comments = _visible_comments(ids, site_ids)
    result.skipped = len(list(dict.fromkeys(ids))) - len(comments)
    for comment in comments:
        if not action.applies_to(comment.status):
            result.skipped += 1
            continue
        from_status = comment.status
        # One commit per comment through `moderate`, so webhooks and spam learning see
        # dashboard decisions exactly as they see API ones.
        moderate(comment, action.to_status, moderator, reason or f"dashboard: {action_name}")
        result.changed.append((comment.id, from_status))
    return result


def push_undo(stack: list[dict] | None, entry: dict | None) -> list[dict]:
    stack = list(stack or [])
    if entry is not None:
        stack.append(entry)
    return stack[-UNDO_DEPTH:]


def undo(moderator: Moderator, entry: dict, site_ids: set[int]) -> ActionResult:
    """Put every comment of `entry` back where it was, if nobody has moved it since."""
    result = ActionResult("undo")
    to_status = entry.get("to")
    for from_status, ids in (entry.get("from") or {}).items():
        if from_status not in Status.ALL:
            continue
        for comment in _visible_comments(ids, site_ids):
            if comment.status != to_status or from_status not in TRANSITIONS[comment.status]:
                result.skipped += 1
                continue
            moderate(comment, from_status, moderator, f"undo {entry.get('a')}")
            result.changed.append((comment.id, to_status))
    return result


def edit_comment(comment: Comment, text: str, moderator: Moderator, max_chars: int) -> Comment:
    """Replace the text and re-render it through the sanitiser; the audit log records it."""
    text = text.strip()
    if not text:
        raise ValidationError("A comment cannot be empty.", code="empty_text", field="text")
    if len(text) > max_chars:
        raise ValidationError("The text is too long.", code="too_long", field="text")
    if comment.status == Status.DELETED:
        raise ValidationError("A deleted comment cannot be edited.", code="deleted", field="text")
    comment.replace_text(text)
    comment.html = render_comment(text)
    # Not a status change, so not a transition; still an audited moderator decision.
    db.session.add(
        ModerationEvent(
            comment_id=comment.id,
            site_id=comment.site_id,
            actor_id=moderator.id,
            from_status=comment.status,
            to_status=comment.status,
            reason="edited by moderator",
        )
    )
    db.session.commit()
    return comment
