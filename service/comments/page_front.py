"""Hot published pages answered in front of Flask: the same bytes, without the request cycle.

A cached thread read costs a dictionary lookup, yet through Flask it still pays for the
request context, URL routing, the before- and after-request hooks and, when the browser
sends `Origin`, two queries for the site's allowed origins. This WSGI layer keeps, for a
second (`PAGE_CACHE_LOCAL_SECONDS`), the exact answer Flask gave to a request for a cached
public page, and gives it again to the next identical request: same path and query string,
same `Origin`, same host and scheme. So validation, the CORS decision and every header
stay Flask's; nothing here interprets a query string or decides on an origin.

Only answers that `page_cache` marked as a published page (a thread page, the no-JS page,
counts) and that came back 200 are kept. They go when a change to one of their threads
is committed in this process, when the page store's generation moves (the embedded
store's stamp file, written by any process), or after the second: the staleness a page
already had in the Redis store's per-process copy, and the longest an owner's change of
allowed origins waits.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from time import monotonic

# Set in the WSGI environ by page_cache: the threads a page shows and the generation it
# was read under. Its absence means "not a shareable page", whatever the status.
MARK = "talkback.page_threads"
# Bounded in bytes too: a 200-comment page is ~80 kB, and every web worker keeps its own.
MAX_ENTRIES = 4000
MAX_BYTES = 8 * 1024 * 1024

ThreadKey = tuple[str, str]
Headers = list[tuple[str, str]]
# Kept out of a 304, as Flask leaves them out of its own.
ENTITY_HEADERS = frozenset({"content-type", "content-length"})


def _could_be_page(path: str) -> bool:
    if path.startswith("/api/v1/sites/"):
        return path.endswith(("/threads", "/counts"))
    return path.startswith("/t/") and "/" not in path[3:]


def _no_write(_data: bytes) -> None:
    raise RuntimeError("a published page is answered from its entry, not written through")


def _matches(if_none_match: str | None, etag: str | None) -> bool:
    """RFC 9110 13.1.2: `*`, or any listed tag equal to ours by weak comparison."""
    if not if_none_match or not etag:
        return False
    if if_none_match.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))


class Entry:
    __slots__ = (
        "expires",
        "generation",
        "threads",
        "headers",
        "not_modified_headers",
        "body",
        "etag",
    )

    def __init__(self, expires, generation, threads, headers: Headers, body: bytes):
        self.expires = expires
        self.generation = generation
        self.threads = threads
        self.headers = headers
        self.not_modified_headers = [h for h in headers if h[0].lower() not in ENTITY_HEADERS]
        self.body = body
        self.etag = next((v for name, v in headers if name.lower() == "etag"), None)


class PageFront:
    """WSGI middleware around the Flask app; `current_generation` is the store's, or None
    when the store has no cheap generation to check (Redis: the second bounds staleness)."""

    def __init__(
        self,
        app: Callable,
        *,
        seconds: float,
        current_generation: Callable[[], str | None],
    ):
        self.app = app
        self.seconds = seconds
        self.current_generation = current_generation
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def _key(environ: dict) -> tuple:
        return (
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ORIGIN", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("wsgi.url_scheme", ""),
        )

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or not _could_be_page(
            environ.get("PATH_INFO", "")
        ):
            return self.app(environ, start_response)
        key = self._key(environ)
        entry = self._fresh(key)
        if entry is None:
            entry = self._through_flask(key, environ, start_response)
            if not isinstance(entry, Entry):
                return entry  # not a published page: Flask's own answer
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), entry.etag):
            start_response("304 NOT MODIFIED", list(entry.not_modified_headers))
            return []
        start_response("200 OK", list(entry.headers))
        return [entry.body]

    def _fresh(self, key: tuple) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stale = entry.expires <= monotonic() or (
            self.current_generation is not None and entry.generation != self.current_generation()
        )
        if stale:
            with self._lock:
                self._forget(key)
            return None
        return entry

    def _through_flask(self, key: tuple, environ: dict, start_response: Callable):
        """Flask's answer; for a published page, as an Entry (kept when it may be shared)."""
        captured: dict = {}

        def capture(status: str, headers: Headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            if environ.get(MARK) is None or not status.startswith("200"):
                return start_response(status, headers, exc_info)
            return _no_write  # answered by __call__, from the entry

        # Flask renders the full page; the 304, if the reader holds it, is decided above.
        asked = environ.pop("HTTP_IF_NONE_MATCH", None)
        result = self.app(environ, capture)
        mark = environ.get(MARK)
        if mark is None or not captured.get("status", "").startswith("200"):
            if asked is not None:
                environ["HTTP_IF_NONE_MATCH"] = asked
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if asked is not None:
            environ["HTTP_IF_NONE_MATCH"] = asked
        storable, generation, threads = mark
        entry = Entry(
            monotonic() + self.seconds,
            generation,
            frozenset(threads),
            list(captured["headers"]),
            body,
        )
        if storable:
            self._keep(key, entry)
        return entry

    def _keep(self, key: tuple, entry: Entry) -> None:
        with self._lock:
            self._forget(key)
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while self._entries and (len(self._entries) > MAX_ENTRIES or self._bytes > MAX_BYTES):
                self._forget(next(iter(self._entries)))

    def _forget(self, key: tuple) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry.body)

    def invalidate(self, threads: Iterable[ThreadKey] | None) -> None:
        """Forget the pages of these threads (None: every page)."""
        with self._lock:
            if threads is None:
                self._entries.clear()
                self._bytes = 0
                return
            gone = set(threads)
            for key in [k for k, entry in self._entries.items() if entry.threads & gone]:
                self._forget(key)
