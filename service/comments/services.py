"""Accepting comments from readers and reading published threads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from service import queue
from service.accounts.models import Site
from service.accounts.services import get_site
from service.comments.form_token import check_form_token
from service.comments.models import Comment, Status, Thread
from service.comments.schemas import NewComment
from service.extensions import db
from service.http.errors import Forbidden, NotFound, ValidationError
from service.security import hash_token, new_token, token_matches, truncate_ip
from service.timeutil import as_utc, utcnow

THREAD_PAGE_MAX = 200


def find_thread(site: Site, uri: str) -> Thread | None:
    return db.session.scalar(select(Thread).where(Thread.site_id == site.id, Thread.uri == uri))


def site_and_thread(slug: str, uri: str) -> tuple[Site, Thread | None]:
    """The site and, if it has one yet, its thread for `uri`, in one query (the hot POST)."""
    row = db.session.execute(
        select(Site, Thread)
        .outerjoin(Thread, (Thread.site_id == Site.id) & (Thread.uri == uri))
        .where(Site.slug == slug)
    ).first()
    if row is None:
        get_site(slug)  # raises the usual unknown_site 404
    return row[0], row[1]


def get_or_create_thread(
    site: Site, uri: str, title: str = "", *, found: Thread | None = None
) -> Thread:
    thread = found or find_thread(site, uri)
    if thread is not None:
        if title and not thread.title:
            thread.title = title
        return thread
    try:
        # A savepoint, so losing the race to a concurrent first comment costs nothing.
        with db.session.begin_nested():
            thread = Thread(site_id=site.id, uri=uri, title=title)
            db.session.add(thread)
    except IntegrityError:
        thread = find_thread(site, uri)
    return thread


@dataclass(frozen=True)
class Submitted:
    """The new comment's row, and what its author is told: read before the commit, so the
    answer costs no query (the commit expires the row)."""

    id: int
    status: str
    edit_token: str
    comment: Comment

    def answer(self) -> dict:
        return {"id": self.id, "status": self.status, "edit_token": self.edit_token}


def submit_comment(
    site: Site,
    new: NewComment,
    *,
    remote_addr: str | None,
    user_agent: str,
    thread: Thread | None = None,
) -> Submitted:
    """Store the comment as `received`, commit, then ask a worker to process it.

    The commit comes first so an unreachable broker can only delay a comment, never lose
    it: the periodic sweep re-sends anything still in `received`. Validation, one INSERT
    and the hand-over: the answer does not wait for anything else (not even a re-read of
    the row the commit expired).
    """
    thread = get_or_create_thread(site, new.uri, new.title, found=thread)
    if new.parent_id is not None:
        parent = db.session.get(Comment, new.parent_id)
        if parent is None or parent.thread_id != thread.id or parent.status != Status.APPROVED:
            raise ValidationError(
                "parent_id is not a published comment on this page.",
                code="unknown_parent",
                field="parent_id",
            )
    token_state, form_age = check_form_token(new.form_token, site.slug)
    edit_token = new_token()
    comment = Comment(
        site_id=site.id,
        thread_id=thread.id,
        parent_id=new.parent_id,
        author_name=new.author,
        email=new.email,
        website=new.website,
        text=new.text,
        status=Status.RECEIVED,
        spam_reasons=[],
        signals={
            "honeypot_filled": bool(new.honeypot),
            "form_token": token_state,
            "form_age_seconds": form_age,
        },
        ip=truncate_ip(remote_addr),
        user_agent=user_agent[:300],
        edit_token_hash=hash_token(edit_token),
    )
    db.session.add(comment)
    db.session.flush()
    submitted = Submitted(comment.id, comment.status, edit_token, comment)
    db.session.commit()
    queue.announce_new_comment(submitted.id)
    return submitted


def public_comment(comment: Comment) -> dict:
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author": comment.author_name or None,
        "website": comment.website or None,
        "html": comment.html,
        "created": as_utc(comment.created_at).isoformat(),
        "edited": as_utc(comment.edited_at).isoformat() if comment.edited_at else None,
    }


def published_thread(site: Site, uri: str, *, after: int = 0, limit: int = 100) -> dict:
    """Approved comments of a page in posting order, so a parent always precedes its replies."""
    return thread_body(find_thread(site, uri), uri, after=after, limit=limit)


def thread_body(thread: Thread | None, uri: str, *, after: int = 0, limit: int = 100) -> dict:
    """`published_thread` for a thread the caller has already looked up (or None)."""
    limit = max(1, min(limit, THREAD_PAGE_MAX))
    body = {
        "thread": {
            "id": thread.id if thread else None,
            "uri": uri,
            "title": thread.title if thread else "",
        },
        "total": 0,
        "comments": [],
        "next_after": None,
    }
    if thread is None:
        return body
    visible = (Comment.thread_id == thread.id, Comment.status == Status.APPROVED)
    body["total"] = db.session.scalar(select(func.count()).where(*visible))
    rows = db.session.scalars(
        select(Comment).where(*visible, Comment.id > after).order_by(Comment.id).limit(limit + 1)
    ).all()
    body["comments"] = [public_comment(c) for c in rows[:limit]]
    if len(rows) > limit:
        body["next_after"] = rows[limit - 1].id
    return body


def approved_counts(site: Site, uris: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(uris, 0)
    if not uris:
        return counts
    rows = db.session.execute(
        select(Thread.uri, func.count(Comment.id))
        .join(Comment, Comment.thread_id == Thread.id)
        .where(Thread.site_id == site.id, Thread.uri.in_(uris), Comment.status == Status.APPROVED)
        .group_by(Thread.uri)
    )
    counts.update({uri: count for uri, count in rows})
    return counts


def comment_for_author(comment_id: int, token: str | None) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status == Status.DELETED:
        raise NotFound("No such comment.", code="unknown_comment")
    if not token_matches(token, comment.edit_token_hash):
        raise Forbidden("The edit token does not match this comment.", code="bad_token")
    return comment


def author_view(comment: Comment) -> dict:
    window = timedelta(seconds=current_app.config["EDIT_WINDOW_SECONDS"])
    editable_until = as_utc(comment.created_at) + window
    return {
        **public_comment(comment),
        "status": comment.status,
        "text": comment.text,
        "thread_uri": comment.thread.uri,
        "editable_until": editable_until.isoformat(),
        "can_edit": utcnow() < editable_until,
    }
