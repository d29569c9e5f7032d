"""The pipeline's wake-up flag: one message wakes a worker for every comment waiting.

A worker routes waiting comments in batches, so a message per new comment mostly finds its
comment done, and publishing it costs the web more than the rest of the POST's Python. On a
Redis broker the web instead raises a flag after its commit (`SET … NX PX`, one round
trip) and publishes a message only when it raised it; the worker that starts on a message
lowers the flag first (`DEL`) and only then claims the waiting comments. So a comment
committed before the lowering is seen by that claim, and one committed after it raises
the flag again and publishes. The flag lives in the broker's own Redis, so a Redis that
loses its messages loses the flag with them; its expiry bounds how long a wake-up that
never arrives (a web process killed between the flag and the publish, a worker killed
holding a message it had not started) keeps new comments from publishing. The sweep
(moderation.services.resend_stuck_comments) stays the backstop for everything else.

Other brokers (RabbitMQ, the embedded SQLite broker) keep one message per comment.
"""

from __future__ import annotations

import logging
import time

from flask import Flask

log = logging.getLogger(__name__)

# A flag store that failed is not asked again for this long: every comment publishes.
_DOWN_BACKOFF_SECONDS = 5.0
_EXTENSION = "talkback_pipeline_wake"


class WakeFlag:
    """The flag `<queue>:pipeline-wake` in Redis."""

    def __init__(self, url: str, queue: str, ttl_ms: int):
        import redis  # only processes sending to (or consuming from) Redis need it

        self._errors = redis.RedisError
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.key = f"{queue}:pipeline-wake"
        self.ttl_ms = ttl_ms
        self._down_until = 0.0

    def raise_flag(self) -> bool:
        """True when the caller must publish a wake-up: it raised the flag, or the flag's
        store cannot be reached (publish then, as without the flag)."""
        if self._down():
            return True
        try:
            return bool(self.client.set(self.key, b"1", nx=True, px=self.ttl_ms))
        except self._errors:
            self._mark_down("publishing every comment for now")
            return True

    def is_up(self) -> bool:
        """Whether a wake-up is announced and not yet taken (False when unreachable)."""
        if self._down():
            return False
        try:
            return bool(self.client.exists(self.key))
        except self._errors:
            self._mark_down("publishing every comment for now")
            return False

    def lower(self) -> None:
        """Make the next new comment publish. A failure leaves the flag to its expiry."""
        if self._down():
            return
        try:
            self.client.delete(self.key)
        except self._errors:
            self._mark_down("it expires by itself")

    def _down(self) -> bool:
        return time.monotonic() < self._down_until

    def _mark_down(self, consequence: str) -> None:
        self._down_until = time.monotonic() + _DOWN_BACKOFF_SECONDS
        log.warning("pipeline wake-up flag unreachable: %s", consequence, exc_info=True)


def wake_flag(app: Flask) -> WakeFlag | None:
    """The app's flag, or None when every comment is announced by a message of its own:
    a broker other than Redis, tasks run in-process, or TALKBACK_PIPELINE_WAKE_TTL_MS=0."""
    broker = app.config["CELERY_BROKER_URL"] or ""
    ttl_ms = app.config["PIPELINE_WAKE_TTL_MS"]
    if app.config["TASKS_EAGER"] or ttl_ms <= 0 or not broker.startswith(("redis:", "rediss:")):
        return None
    flag = app.extensions.get(_EXTENSION)
    if flag is None:
        # Made on first use, in the process that uses it (after gunicorn's or Celery's fork).
        flag = app.extensions[_EXTENSION] = WakeFlag(broker, app.config["CELERY_QUEUE"], ttl_ms)
    return flag
