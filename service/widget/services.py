"""Shaping published threads for the server-rendered (JavaScript-free) pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from service.accounts.models import Site
from service.comments.models import Thread
from service.extensions import db

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
