"""An author changing their own comment within EDIT_WINDOW_SECONDS, judged like a new one."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from service import queue
from service.accounts.models import ModerationPolicy
from service.comments.models import Comment, Status
from service.comments.services import comment_for_author
from service.extensions import db
from service.http.errors import Conflict, Forbidden
from service.moderation.sanitise import render_comment
from service.moderation.services import transition
from service.timeutil import as_utc, utcnow

EDIT_REASON = "edited by author"
DELETE_REASON = "deleted by author"
# A moderator's (or the scorer's) verdict must not be laundered by editing the text.
NOT_EDITABLE = frozenset({Status.SPAM, Status.REJECTED})


def _ensure_edit_window_open(comment: Comment) -> None:
    window = timedelta(seconds=current_app.config["EDIT_WINDOW_SECONDS"])
    if utcnow() >= as_utc(comment.created_at) + window:
        raise Forbidden("The time for changing this comment is over.", code="edit_window_closed")


def edit_own_comment(comment_id: int, token: str | None, text: str) -> Comment:
    """Replace the text now; the worker scores and routes it again, as it would a new one.

    A comment still in `received` only gets its text replaced: the worker has not run yet
    and will process the new text. Otherwise the new words are rendered and sanitised at
    once, and a published comment leaves the page until the worker has judged them (unless
    the site publishes first and moderates after), because the moderator approved the old
    words, not the new ones. `received` is never re-entered: it means "not yet processed",
    which an edited comment is not. Scoring needs the spam model, which lives in the worker
    (pipeline.route_edited_comment).
    """
    comment = comment_for_author(comment_id, token)
    _ensure_edit_window_open(comment)
    # Lock the row so a worker processing it right now cannot interleave with the edit.
    db.session.refresh(comment, with_for_update=True)
    if comment.status in NOT_EDITABLE:
        raise Conflict("This comment can no longer be edited.", code="not_editable")
    comment.replace_text(text)
    if comment.status == Status.RECEIVED:
        db.session.commit()
        return comment
    was_status = comment.status
    comment.html = render_comment(comment.text)
    publishes_first = comment.site.moderation_policy == ModerationPolicy.POST_MODERATION
    if comment.status == Status.APPROVED and not publishes_first:
        transition(comment, Status.PENDING, reason=f"{EDIT_REASON}: to be scored")
    db.session.commit()
    queue.send(queue.ROUTE_EDITED_COMMENT, comment.id, was_status)
    db.session.refresh(comment)  # the worker's verdict, when tasks run in-process (tests)
    return comment


def delete_own_comment(comment_id: int, token: str | None) -> Comment:
    comment = comment_for_author(comment_id, token)
    _ensure_edit_window_open(comment)
    transition(comment, Status.DELETED, reason=DELETE_REASON)
    db.session.commit()
    return comment
