"""Where rendered public pages (thread JSON, the no-JS page, counts) are kept between changes.

Every entry is tagged with the generation of its thread that was current *before* the
database was read; a change bumps the generation after its commit. A reader that rendered
from the old state while a moderator committed therefore stores an entry that is never
served, instead of one that is stale until it expires.

- `RedisPageStore` (production): one hash of rendered variants and one generation counter
  per thread, shared by every web process and worker; a read is one round trip.
- `LocalPageStore` (the embedded default): a dict in each process, and one generation for
  the whole site in a stamp file in the instance folder, so a change made by the worker or
  the other gunicorn process is seen by the next `os.stat`.
- `NoPageStore`: caching off (the benchmark's "cold" rows).

A cache that fails is a miss, never an error: the reader gets a page rendered afresh.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import redis

log = logging.getLogger(__name__)

# How many pages the Redis store keeps copies of in each process, and their bytes at most.
LOCAL_ENTRIES = 2000
LOCAL_BYTES = 8 * 1024 * 1024
# (site slug, uri): what a reader asks for, known without touching the database.
ThreadKey = tuple[str, str]
# (thread, variant such as "json:0:50" or "count"), the unit of get/put.
Slot = tuple[ThreadKey, str]


class NoPageStore:
    def get_many(self, slots: list[Slot]) -> tuple[list[str], list[bytes | None]]:
        return [""] * len(slots), [None] * len(slots)

    def put_many(self, entries: Iterable[tuple[Slot, str, bytes]]) -> None:
        pass

    def invalidate(self, threads: Iterable[ThreadKey]) -> None:
        pass

    needs_thread_keys = False


class LocalPageStore:
    """In-process entries; the generation is the content of a stamp file any process rewrites."""

    needs_thread_keys = False

    def __init__(self, stamp_path: Path, max_entries: int = 5000):
        self.stamp_path = stamp_path
        self.max_entries = max_entries
        self._entries: OrderedDict[Slot, tuple[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def generation(self) -> str:
        # Its content, not its mtime or inode: both can repeat within one clock tick.
        try:
            return self.stamp_path.read_text() or "none"
        except FileNotFoundError:
            return "none"

    def get_many(self, slots: list[Slot]) -> tuple[list[str], list[bytes | None]]:
        generation = self.generation()
        found: list[bytes | None] = []
        with self._lock:
            for slot in slots:
                entry = self._entries.get(slot)
                found.append(entry[1] if entry and entry[0] == generation else None)
        return [generation] * len(slots), found

    def put_many(self, entries: Iterable[tuple[Slot, str, bytes]]) -> None:
        with self._lock:
            for slot, generation, value in entries:
                self._entries[slot] = (generation, value)
                self._entries.move_to_end(slot)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def invalidate(self, threads: Iterable[ThreadKey]) -> None:
        self.stamp_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.stamp_path.with_name(f"{self.stamp_path.name}.{uuid.uuid4().hex}")
        temporary.write_text(uuid.uuid4().hex)
        os.replace(temporary, self.stamp_path)


class RedisPageStore:
    """`<prefix>:gen:<slug>:<uri>` counts changes; `<prefix>:page:<slug>:<uri>` holds variants.

    Generation counters never expire (one small integer per thread that ever changed), so a
    counter can never restart below the tag of an entry still stored.
    """

    needs_thread_keys = True
    # After a failure, skip Redis for a while instead of making every reader wait for it.
    BACKOFF_SECONDS = 5.0

    def __init__(self, url: str, prefix: str, ttl_seconds: int, local_seconds: float = 0.0):
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds
        self._down_until = 0.0
        # A copy kept in this process for `local_seconds`: a hot page then costs no round
        # trip at all, and a change made elsewhere shows here within that time.
        self.local_seconds = local_seconds
        self._local: OrderedDict[Slot, tuple[float, str, bytes]] = OrderedDict()
        self._local_bytes = 0
        self._lock = threading.Lock()

    def _keys(self, thread: ThreadKey) -> tuple[str, str]:
        slug, uri = thread
        return f"{self.prefix}:gen:{slug}:{uri}", f"{self.prefix}:page:{slug}:{uri}"

    def _usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, action: str) -> None:
        self._down_until = time.monotonic() + self.BACKOFF_SECONDS
        log.warning("page cache unreachable (%s); serving uncached", action, exc_info=True)

    def get_many(self, slots: list[Slot]) -> tuple[list[str], list[bytes | None]]:
        generations, found = self._from_local(slots)
        asking = [n for n, value in enumerate(found) if value is None]
        if asking:
            remote = self._from_redis([slots[n] for n in asking])
            for n, generation, value in zip(asking, *remote, strict=True):
                generations[n], found[n] = generation, value
            self._keep_locally(
                (slots[n], generations[n], found[n]) for n in asking if found[n] is not None
            )
        return generations, found

    def _from_local(self, slots: list[Slot]) -> tuple[list[str], list[bytes | None]]:
        generations, found = [""] * len(slots), [None] * len(slots)
        if self.local_seconds <= 0:
            return generations, found
        now = time.monotonic()
        with self._lock:
            for n, slot in enumerate(slots):
                kept = self._local.get(slot)
                if kept and kept[0] > now:
                    generations[n], found[n] = kept[1], kept[2]
        return generations, found

    def _keep_locally(self, entries: Iterable[tuple[Slot, str, bytes]]) -> None:
        if self.local_seconds <= 0:
            return
        expires = time.monotonic() + self.local_seconds
        with self._lock:
            for slot, generation, value in entries:
                self._drop_local(slot)
                self._local[slot] = (expires, generation, value)
                self._local_bytes += len(value)
            # Oldest first, so expired copies go before any live one.
            while self._local and (
                len(self._local) > LOCAL_ENTRIES
                or self._local_bytes > LOCAL_BYTES
                or next(iter(self._local.values()))[0] <= expires - self.local_seconds
            ):
                self._drop_local(next(iter(self._local)))

    def _drop_local(self, slot: Slot) -> None:
        kept = self._local.pop(slot, None)
        if kept is not None:
            self._local_bytes -= len(kept[2])

    def _from_redis(self, slots: list[Slot]) -> tuple[list[str], list[bytes | None]]:
        missing: tuple[list[str], list[bytes | None]] = ([""] * len(slots), [None] * len(slots))
        if not self._usable():
            return missing
        pipe = self.client.pipeline(transaction=False)
        for thread, variant in slots:
            gen_key, page_key = self._keys(thread)
            pipe.get(gen_key)
            pipe.hget(page_key, variant)
        try:
            replies = pipe.execute()
        except redis.RedisError:
            self._failed("read")
            return missing
        generations, found = [], []
        for generation, value in zip(replies[::2], replies[1::2], strict=True):
            generation = (generation or b"0").decode()
            generations.append(generation)
            tag, _, payload = (value or b"").partition(b"|")
            found.append(payload if value and tag.decode() == generation else None)
        return generations, found

    def put_many(self, entries: Iterable[tuple[Slot, str, bytes]]) -> None:
        entries = [entry for entry in entries if entry[1]]  # unknown generation: never stored
        if not entries or not self._usable():
            return
        pipe = self.client.pipeline(transaction=False)
        for (thread, variant), generation, value in entries:
            _, page_key = self._keys(thread)
            pipe.hset(page_key, variant, generation.encode() + b"|" + value)
            pipe.expire(page_key, self.ttl_seconds)
        try:
            pipe.execute()
        except redis.RedisError:
            self._failed("write")
            return
        self._keep_locally(entries)

    def invalidate(self, threads: Iterable[ThreadKey]) -> None:
        threads = set(threads)
        with self._lock:
            for slot in [slot for slot in self._local if slot[0] in threads]:
                self._drop_local(slot)
        pipe = self.client.pipeline(transaction=False)
        for thread in threads:
            gen_key, page_key = self._keys(thread)
            pipe.incr(gen_key)
            pipe.delete(page_key)
        try:
            pipe.execute()
        except redis.RedisError:
            # Entries then live until their TTL: bounded staleness, never a failed commit.
            self._failed("invalidate")


PageStore = NoPageStore | LocalPageStore | RedisPageStore


def make_page_store(
    url: str, *, prefix: str, ttl_seconds: int, stamp_path: Path, local_seconds: float = 0.0
) -> PageStore:
    """`redis://…` (shared), `local` (this process + a stamp file) or `none` (no caching)."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisPageStore(url, prefix, ttl_seconds, local_seconds)
    if url == "none":
        return NoPageStore()
    if url == "local":
        return LocalPageStore(stamp_path)
    raise RuntimeError(
        f"TALKBACK_PAGE_CACHE must be a redis:// URL, 'local' or 'none', not {url!r}"
    )
