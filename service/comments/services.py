"""Accepting comments from readers and reading published threads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import Insert, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError

from service import queue
from service.accounts.models import Site
from service.accounts.services import get_site
from service.comments import known_ids
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
    """The new comment's id, and what its author is told: the answer costs no query."""

    id: int
    status: str
    edit_token: str

    def answer(self) -> dict:
        return {"id": self.id, "status": self.status, "edit_token": self.edit_token}

    def row(self) -> Comment:
        return db.session.get(Comment, self.id)


def accept_comment(
    slug: str, new: NewComment, *, remote_addr: str | None, user_agent: str
) -> Submitted:
    """The widget's POST: `submit_comment` for the site `slug`, without looking up a page
    this process has posted to before (known_ids.py): then the INSERT is all it costs."""
    known = known_ids.known_thread(slug, new.uri)
    if known is not None and (known.titled or not new.title):
        try:
            submitted = _store(known.site_id, known.thread_id, slug, new, remote_addr, user_agent)
        except IntegrityError:  # the site or thread is gone: look again
            submitted = None
        if submitted is not None:
            return submitted
        known_ids.forget_thread(slug, new.uri)  # or a bad parent_id: the slow way says which
    site, thread = site_and_thread(slug, new.uri)
    return submit_comment(site, new, thread=thread, remote_addr=remote_addr, user_agent=user_agent)


def submit_comment(
    site: Site,
    new: NewComment,
    *,
    remote_addr: str | None,
    user_agent: str,
    thread: Thread | None = None,
) -> Submitted:
    """Store the comment as `received`, committed, then ask a worker to process it.

    The commit comes first so an unreachable broker can only delay a comment, never lose
    it: the periodic sweep re-sends anything still in `received`. Validation, one INSERT
    and the hand-over: the answer does not wait for anything else (not even a re-read of
    the row).
    """
    thread = get_or_create_thread(site, new.uri, new.title, found=thread)
    # Read before the commit, which expires the rows.
    slug, known = site.slug, known_ids.KnownThread(site.id, thread.id, bool(thread.title))
    submitted = _store(known.site_id, known.thread_id, slug, new, remote_addr, user_agent)
    if submitted is None:
        raise ValidationError(
            "parent_id is not a published comment on this page.",
            code="unknown_parent",
            field="parent_id",
        )
    known_ids.remember_thread(slug, new.uri, known)
    return submitted


def _store(
    site_id: int,
    thread_id: int,
    slug: str,
    new: NewComment,
    remote_addr: str | None,
    user_agent: str,
) -> Submitted | None:
    """INSERT the comment, committed; None if its parent is not published on the page."""
    token_state, form_age = check_form_token(new.form_token, slug)
    edit_token, now = new_token(), utcnow()
    values = {
        "site_id": site_id,
        "thread_id": thread_id,
        "parent_id": new.parent_id,
        "author_name": new.author,
        "email": new.email,
        "website": new.website,
        "text": new.text,
        "status": Status.RECEIVED,
        "spam_reasons": [],
        "signals": {
            "honeypot_filled": bool(new.honeypot),
            "form_token": token_state,
            "form_age_seconds": form_age,
        },
        "ip": truncate_ip(remote_addr),
        "user_agent": user_agent[:300],
        "edit_token_hash": hash_token(edit_token),
        "html": "",  # the worker renders it
        "created_at": now,
        "updated_at": now,
    }
    statement = INSERT_COMMENT if new.parent_id is None else INSERT_REPLY
    comment_id = _insert_committed(statement, values)
    if comment_id is None:
        return None
    queue.announce_new_comment(comment_id)
    return Submitted(comment_id, Status.RECEIVED, edit_token)


# Built once: constructing and caching a statement costs more than running it.
COMMENT_COLUMNS = (
    "site_id", "thread_id", "parent_id", "author_name", "email", "website", "text", "html",
    "status", "spam_reasons", "signals", "ip", "user_agent", "edit_token_hash",
    "created_at", "updated_at",
)  # fmt: skip
_comments = Comment.__table__
INSERT_COMMENT = insert(_comments).returning(_comments.c.id)
# A reply only under a published comment of the same page, which the statement checks
# itself: it inserts nothing otherwise.
INSERT_REPLY = INSERT_COMMENT.from_select(
    COMMENT_COLUMNS,
    select(*(bindparam(name, type_=_comments.c[name].type) for name in COMMENT_COLUMNS)).where(
        select(_comments.c.id)
        .where(
            _comments.c.id == bindparam("parent_id"),
            _comments.c.thread_id == bindparam("thread_id"),
            _comments.c.status == Status.APPROVED,
        )
        .exists()
    ),
)


def _insert_committed(statement: Insert, values: dict) -> int | None:
    """Run an INSERT … RETURNING as a committed transaction: the new id, or None.

    Outside a transaction (a POST that looked nothing up) it runs in autocommit on a
    connection from the pool: one statement is then a transaction by itself, committed
    before its answer arrives, so one round trip instead of BEGIN, INSERT, COMMIT.
    Otherwise it joins the session's transaction and commits it (a new thread, say).
    """
    # Not even a session, when this request has not used one yet.
    if not db.session.registry.has() or not db.session().in_transaction():
        with db.engine.connect() as connection:
            autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
            return autocommit.execute(statement, values).scalar()
    session = db.session()
    try:
        new_id = session.execute(statement, values).scalar()
        session.commit()
    except IntegrityError:
        session.rollback()
        raise
    return new_id


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
