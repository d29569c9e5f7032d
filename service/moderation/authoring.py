"""An author changing their own comment within EDIT_WINDOW_SECONDS, judged like a new one."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from service.comments.models import Comment, Status
from service.comments.services import comment_for_author
from service.extensions import db
from service.http.errors import Conflict, Forbidden
from service.moderation import events
from service.moderation.services import route_comment, transition
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
    """Replace the text and re-run rendering and scoring synchronously.

    A comment still in `received` only gets its text replaced: the worker has not run yet
    and will process the new text. Otherwise the comment is routed again exactly as the
    pipeline would route a new one (an edited approved comment goes back to the queue under
    hold-all), because the moderator approved the old words, not the new ones. `received` is
    never re-entered: it means "not yet processed", which an edited comment is not.
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
    to_status, score = route_comment(comment)
    if to_status == comment.status:
        db.session.commit()
        return comment
    transition(comment, to_status, reason=f"{EDIT_REASON}: spam score {score:.2f}")
    db.session.commit()
    # Back in the queue (or newly published): tell moderators as for a new comment.
    events.comment_routed.send(comment, to_status=to_status)
    return comment


def delete_own_comment(comment_id: int, token: str | None) -> Comment:
    comment = comment_for_author(comment_id, token)
    _ensure_edit_window_open(comment)
    transition(comment, Status.DELETED, reason=DELETE_REASON)
    db.session.commit()
    return comment
