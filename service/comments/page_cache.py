"""Published threads are rendered once per change: cached pages, strong ETags and 304s.

The public thread (JSON pages, the no-JS page) and the comment counts are the same for
every reader, so they are kept rendered in the page store (page_store.py) and served
without touching the database. Whatever makes a published comment appear, change or
disappear (approve, edit, delete, undo, a thread's first title) is seen in the one place
every change passes through: the session's flush. After the commit, the threads it
touched are invalidated. A cache hit needs neither the database nor the site row, so an
unknown site is only answered (404) from the database and never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, has_app_context, has_request_context, request
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from service.accounts.models import Site
from service.comments.models import Comment, Status, Thread
from service.comments.page_front import MARK, PageFront
from service.comments.page_store import (
    LocalPageStore,
    NoPageStore,
    PageStore,
    ThreadKey,
    make_page_store,
)
from service.config import INSTANCE_DIR
from service.extensions import db

EXTENSION = "talkback_pages"
FRONT = "talkback_page_front"
CHANGED = "talkback_changed_threads"
# What readers see of an approved comment; a change to any of these changes the thread.
PUBLIC_FIELDS = ("html", "author_name", "website", "edited_at", "parent_id")


@dataclass(frozen=True)
class Page:
    mimetype: str
    etag: str
    body: bytes

    def encode(self) -> bytes:
        return f"{self.mimetype}\n{self.etag}\n".encode() + self.body

    @classmethod
    def decode(cls, value: bytes) -> Page:
        mimetype, etag, body = value.split(b"\n", 2)
        return cls(mimetype.decode(), etag.decode(), body)

    @classmethod
    def of(cls, body: bytes, mimetype: str) -> Page:
        return cls(mimetype, hashlib.sha256(body).hexdigest()[:32], body)


def init_app(app: Flask) -> None:
    config = app.config
    store = make_page_store(
        config["PAGE_CACHE_URL"],
        prefix=config["PAGE_CACHE_PREFIX"],
        ttl_seconds=config["PAGE_CACHE_TTL_SECONDS"],
        stamp_path=INSTANCE_DIR / config["PAGE_CACHE_STAMP_NAME"],
        local_seconds=config["PAGE_CACHE_LOCAL_SECONDS"],
    )
    app.extensions[EXTENSION] = store
    seconds = config["PAGE_CACHE_LOCAL_SECONDS"]
    if isinstance(store, NoPageStore) or seconds <= 0:
        return
    # The embedded store's stamp file says when any process changed a thread; with Redis,
    # the second itself bounds what another process's change waits (as the store's copy).
    generation = store.generation if isinstance(store, LocalPageStore) else None
    front = PageFront(app.wsgi_app, seconds=seconds, current_generation=generation)
    app.wsgi_app = front
    app.extensions[FRONT] = front


def _mark_page(threads: list[ThreadKey], generations: list[str]) -> None:
    """Tell the page front this answer is a published page, shareable if its generation is known."""
    if not has_request_context():
        return
    storable = bool(generations) and all(generations) and len(set(generations)) == 1
    request.environ[MARK] = (storable, generations[0] if generations else "", threads)


def forget_front_pages() -> None:
    """Drop every answer the page front keeps: they carry a site's CORS answer and name."""
    front = current_app.extensions.get(FRONT)
    if front is not None:
        front.invalidate(None)


def _store() -> PageStore:
    return current_app.extensions[EXTENSION]


def cached_page(site_slug: str, uri: str, variant: str, render: Callable[[], Page]) -> Page:
    """The page from the cache, or rendered now (and stored under the generation read first)."""
    slot = ((site_slug, uri), variant)
    [generation], [value] = _store().get_many([slot])
    _mark_page([(site_slug, uri)], [generation])
    if value is not None:
        return Page.decode(value)
    page = render()
    _store().put_many([(slot, generation, page.encode())])
    return page


def cached_counts(
    site_slug: str, uris: list[str], count: Callable[[list[str]], dict[str, int]]
) -> dict[str, int]:
    """Approved counts per uri; the ones not cached are counted together, in one query."""
    slots = [((site_slug, uri), "count") for uri in uris]
    generations, values = _store().get_many(slots)
    _mark_page([thread for thread, _ in slots], generations)
    counts = {uri: int(value) for uri, value in zip(uris, values, strict=True) if value is not None}
    missing = [uri for uri in uris if uri not in counts]
    if missing:
        fresh = count(missing)
        counts.update(fresh)
        by_uri = dict(zip(uris, zip(slots, generations, strict=True), strict=True))
        _store().put_many(
            (by_uri[uri][0], by_uri[uri][1], str(fresh[uri]).encode()) for uri in missing
        )
    return counts


def respond(page: Page) -> Response:
    """200 with the page, or 304 when the reader already holds this exact version."""
    config = current_app.config
    cache_control = (
        f"public, max-age={config['PUBLIC_MAX_AGE_SECONDS']}, "
        f"stale-while-revalidate={config['PUBLIC_STALE_WHILE_REVALIDATE_SECONDS']}"
    )
    if request.if_none_match.contains(page.etag):
        response = Response(status=304)
    else:
        response = Response(page.body, mimetype=page.mimetype)
    response.headers["ETag"] = f'"{page.etag}"'
    response.headers["Cache-Control"] = cache_control
    return response


# --- invalidation: every change goes through a flush, then a commit ------------------------


def _changes_what_readers_see(comment: Comment) -> bool:
    state = inspect(comment)
    status = state.attrs.status.history
    if Status.APPROVED in (*status.added, *status.deleted):
        return True
    if comment.status != Status.APPROVED:
        return False
    return any(state.attrs[name].history.has_changes() for name in PUBLIC_FIELDS)


@event.listens_for(Session, "after_flush")
def _note_changed_threads(session: Session, _context) -> None:
    # After the flush (new threads have ids) yet still with the flush's history and lists.
    changed = {obj.id for obj in session.new if isinstance(obj, Thread)}
    for obj in session.dirty:
        if isinstance(obj, Comment) and _changes_what_readers_see(obj):
            changed.add(obj.thread_id)
        elif isinstance(obj, Thread) and inspect(obj).attrs.title.history.has_changes():
            changed.add(obj.id)
    changed.update(
        obj.thread_id
        for obj in session.deleted
        if isinstance(obj, Comment) and obj.status == Status.APPROVED
    )
    if changed:
        session.info.setdefault(CHANGED, set()).update(changed)


@event.listens_for(Session, "after_commit")
def _invalidate_changed_threads(session: Session) -> None:
    thread_ids = session.info.pop(CHANGED, None)
    if not thread_ids or not has_app_context() or EXTENSION not in current_app.extensions:
        return
    store = _store()
    keys: list[ThreadKey] = []
    if store.needs_thread_keys:
        # The session cannot run SQL after its commit; a short connection of its own can.
        with db.engine.connect() as connection:
            rows = connection.execute(
                select(Site.slug, Thread.uri)
                .join(Thread, Thread.site_id == Site.id)
                .where(Thread.id.in_(thread_ids))
            )
            keys = [(slug, uri) for slug, uri in rows]
    store.invalidate(keys)
    front = current_app.extensions.get(FRONT)
    if front is not None and store.needs_thread_keys:
        front.invalidate(keys)
