"""Shaping a published thread for the server-rendered (JavaScript-free) page."""

from __future__ import annotations

from dataclasses import dataclass, field

# Deeper replies are shown at this depth: narrow screens cannot indent forever.
MAX_DEPTH = 4


@dataclass
class Node:
    comment: dict
    replies: list[Node] = field(default_factory=list)


def nest(comments: list[dict], max_depth: int = MAX_DEPTH) -> list[Node]:
    """Turn an id-ordered page of comments into a reply tree.

    Parents precede replies (ids grow), so one pass suffices. A reply whose parent is not
    on this page (earlier page, or no longer published) starts a new top-level branch.
    """
    roots: list[Node] = []
    # comment id -> (the list its replies join, the depth they are shown at)
    home: dict[int, tuple[list[Node], int]] = {}
    for comment in comments:
        node = Node(comment)
        siblings, depth = home.get(comment.get("parent_id") or 0, (roots, 1))
        siblings.append(node)
        # Replies go under the comment, unless that is too deep: then beside it.
        home[comment["id"]] = (node.replies, depth + 1) if depth < max_depth else (siblings, depth)
    return roots
