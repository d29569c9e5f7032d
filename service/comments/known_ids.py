"""The ids of sites and threads this process has looked up already, for the hot POST.

A site keeps its id for its slug and a thread its id for its page: Talkback never renames
or deletes either. So a new comment on a page seen before needs no lookup at all, only
its INSERT, whose foreign keys still check both ids; the caller forgets an entry whose
insert failed and looks the page up again. Each app (so each database) has its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

EXTENSION = "talkback_known_ids"
# Pages remembered per process: a blog's live threads, and never more than a few MB.
MAX_THREADS = 5_000


@dataclass(frozen=True)
class KnownThread:
    site_id: int
    thread_id: int
    # Whether the thread has its title: a comment carrying one for an untitled thread
    # takes the looked-up way, which sets it.
    titled: bool


def _threads() -> dict[tuple[str, str], KnownThread]:
    return current_app.extensions.setdefault(EXTENSION, {})


def known_thread(slug: str, uri: str) -> KnownThread | None:
    return _threads().get((slug, uri))


def remember_thread(slug: str, uri: str, known: KnownThread) -> None:
    threads = _threads()
    if len(threads) >= MAX_THREADS:
        threads.clear()  # rare; every entry is found again with one query
    threads[(slug, uri)] = known


def forget_thread(slug: str, uri: str) -> None:
    _threads().pop((slug, uri), None)
