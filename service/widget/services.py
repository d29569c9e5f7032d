"""Shaping published threads for the server-rendered (JavaScript-free) pages, and the
receipts, links back and share links those pages carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from service.accounts.models import Site
from service.accounts.origins import allowed_origins
from service.comments.models import Comment, Status, Thread
from service.comments.schemas import NewComment
from service.comments.services import author_view
from service.extensions import db
from service.http.errors import NotFound
from service.http.hosts import normalise_origin
from service.moderation.sanitise import render_comment
from service.shares.services import page_url, post_for, share_menu
from service.timeutil import utcnow

# Deeper replies are shown at this depth: narrow screens cannot indent forever.
MAX_DEPTH = 4


@dataclass
class Node:
    comment: dict
    replies: list[Node] = field(default_factory=list)
    # False when shown away from its parent (parent on another page, or too deep to indent).
    nested: bool = False


def nest(comments: list[dict], max_depth: int = MAX_DEPTH) -> list[Node]:
    """Turn an id-ordered page of comments into a reply tree.

    Parents precede replies (ids grow), so one pass suffices. A reply whose parent is not
    on this page (earlier page, or no longer published) starts a new top-level branch.
    """
    roots: list[Node] = []
    # comment id -> (the list its replies join, whose list that is, the depth shown at)
    home: dict[int, tuple[list[Node], int | None, int]] = {}
    for comment in comments:
        parent_id = comment.get("parent_id")
        siblings, owner, depth = home.get(parent_id or 0, (roots, None, 1))
        node = Node(comment, nested=parent_id is not None and owner == parent_id)
        siblings.append(node)
        # Replies go under the comment, unless that is too deep: then beside it.
        home[comment["id"]] = (
            (node.replies, comment["id"], depth + 1)
            if depth < max_depth
            else (siblings, owner, depth)
        )
    return roots


def site_threads(site: Site, limit: int = 20) -> list[Thread]:
    """The site's most recently started threads, for a listing of its discussions."""
    query = select(Thread).where(Thread.site_id == site.id).order_by(Thread.id.desc())
    return list(db.session.scalars(query.limit(limit)))


# --- the no-JS page's own pieces: receipts, the way back, plain share links -------------

RECEIPT_SALT = "talkback.no-js-receipt"
# The receipt shows the author their comment after the redirect; after a day it is history.
RECEIPT_MAX_AGE_SECONDS = 24 * 3600


def _receipts() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RECEIPT_SALT)


def make_receipt(comment_id: int) -> str:
    """A signed note of which comment this reader just posted: no cookie on anybody's site."""
    return _receipts().dumps(comment_id)


def comment_for_receipt(site: Site, thread_uri: str, receipt: str | None) -> Comment | None:
    """The reader's own comment still awaiting a decision, or None (bad, old, or decided)."""
    if not receipt:
        return None
    try:
        comment_id = _receipts().loads(receipt, max_age=RECEIPT_MAX_AGE_SECONDS)
    except BadSignature:
        return None
    comment = db.session.get(Comment, comment_id) if isinstance(comment_id, int) else None
    if (
        comment is None
        or comment.site_id != site.id
        or comment.thread.uri != thread_uri
        or comment.status not in AWAITING
    ):
        return None
    return comment


AWAITING = frozenset({Status.RECEIVED, Status.PENDING, Status.SPAM})


def uri_from_referrer(site: Site, referrer: str | None) -> str | None:
    """The path of the site's page that linked here (the snippet's fallback link), if
    that page is on one of the site's allowed origins; anything else is not ours to use."""
    if not referrer:
        return None
    try:
        parts = urlsplit(referrer)
    except ValueError:
        return None
    origin = normalise_origin(f"{parts.scheme}://{parts.netloc}")
    if origin is None or origin not in allowed_origins(site):
        return None
    return parts.path or "/"


def back_to_post_url(site: Site, thread: Thread | None, uri: str) -> str:
    """Where "Back to the post" goes: the thread's page on the blog, never a given address."""
    if thread is not None:
        return page_url(site, thread)
    origins = allowed_origins(site)
    return origins[0] + uri if origins else ""


def plain_share_menu(site: Site, thread: Thread | None, base_url: str) -> dict | None:
    """The share links as plain anchors, for a thread that exists (a GET creates none)."""
    if thread is None:
        return None
    try:
        return share_menu(site, thread, post_for(site, thread), base_url)
    except NotFound:  # the site has no public address to share
        return None


def author_view_with_preview(comment: Comment) -> dict:
    """The author's view of their comment; before the worker has rendered it, the same
    sanitised rendering it will get, so the author sees it as readers will."""
    view = author_view(comment)
    if not view["html"]:
        view["html"] = render_comment(comment.text)
    return view


def new_comment_preview(new: NewComment) -> dict:
    """The author's view of a comment just accepted, from what was sent: the posting answer
    reads nothing back from the database (the commit expired the row)."""
    now = utcnow()
    window = timedelta(seconds=current_app.config["EDIT_WINDOW_SECONDS"])
    return {
        "parent_id": new.parent_id,
        "author": new.author or None,
        "website": new.website or None,
        "html": render_comment(new.text),
        "created": now.isoformat(),
        "edited": None,
        "text": new.text,
        "thread_uri": new.uri,
        "editable_until": (now + window).isoformat(),
        "can_edit": True,
    }
