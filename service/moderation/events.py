"""What moderation tells the rest of the service, as blinker signals (Flask's own).

Moderation publishes; notifications and spam learning subscribe in `create_app`. So the
state machine never imports the domains that react to it, and a new reaction (a webhook,
a cache to clear) is one more subscriber, not another call in the pipeline.

Both are sent after the change is committed, with the comment as sender. The pipeline sends
a batch's `comment_routed` signals inside `sent_together()`: a subscriber may then read a
fact that is the same for the whole batch (a site's settings, say) once, with `once()`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from blinker import Namespace

_signals = Namespace()

# The pipeline (or an author's edit) put a comment where it belongs: `to_status=`.
comment_routed = _signals.signal("comment-routed")
# A moderator decided: `from_status=`, `to_status=`.
comment_moderated = _signals.signal("comment-moderated")

_T = TypeVar("_T")
_batch_memo: ContextVar[dict | None] = ContextVar("talkback_signals_batch", default=None)


@contextmanager
def sent_together() -> Iterator[None]:
    """The signals sent inside belong to one committed batch (see `once`)."""
    token = _batch_memo.set({})
    try:
        yield
    finally:
        _batch_memo.reset(token)


def once(key: Hashable, compute: Callable[[], _T]) -> _T:
    """`compute()`, remembered for the batch being sent (outside one: computed every time)."""
    memo = _batch_memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
