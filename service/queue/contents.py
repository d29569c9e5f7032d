"""What the broker still holds for our queue, so the sweep re-sends only messages really gone.

A comment still `received` a minute after it was queued is either lost (Redis restarted
without its data, a message dropped with a dead connection) or only waiting: behind a
backlog, or held by a worker (prefetched, or retrying after a countdown). Re-sending the
waiting ones multiplies a backlog while it drains. So:

- Redis: read the queue list and the unacknowledged set, and collect the comment ids that
  have a message. An unacknowledged entry older than the stuck threshold counts as gone:
  its worker lost the connection (kombu would hand it out again only after the visibility
  timeout, an hour) or is itself gone.
- Other brokers (RabbitMQ, the embedded SQLite broker) cannot be read without consuming, so
  only the queue's depth is known: stuck comments are re-sent once the queue is empty.
  RabbitMQ hands an unacknowledged message back by itself when its consumer goes away.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from celery import Celery
from flask import current_app

from service.queue import wake
from service.queue.names import PROCESS_COMMENT

log = logging.getLogger(__name__)

# Past this many waiting messages the sweep does not read them all: it waits for the drain.
MAX_MESSAGES_READ = 20_000
# Kombu's Redis transport keeps unacknowledged messages in these keys (its defaults).
REDIS_UNACKED_KEY = "unacked"
REDIS_UNACKED_INDEX_KEY = "unacked_index"


@dataclass(frozen=True)
class QueueSnapshot:
    """`depth`: messages waiting (None: unknown); `held`: comment ids with a live message
    (None: this broker cannot tell)."""

    depth: int | None
    held: frozenset[int] | None = None


def comments_to_resend(
    stuck_ids: Iterable[int], snapshot: QueueSnapshot, drained_by_any: Iterable[int] = ()
) -> list[int]:
    """The stuck comments whose message is gone, as far as the broker lets us know.

    `drained_by_any`: comments that any PROCESS_COMMENT message will route, its own or not
    (never tried, with wake-ups: service/queue/wake.py). They wait while a message is
    held; else the first of them is sent again, and its message routes the others.
    """
    stuck_ids = list(stuck_ids)
    if snapshot.held is not None:
        any_message = set(drained_by_any)
        woken = [comment_id for comment_id in stuck_ids if comment_id in any_message]
        covered = snapshot.held | set(woken if snapshot.held else woken[1:])
        return [comment_id for comment_id in stuck_ids if comment_id not in covered]
    if snapshot.depth == 0:
        return stuck_ids
    return []  # a backlog (or an unknown depth): they are probably waiting in it


def lost_comment_ids(
    stuck_ids: list[int], stuck_after: float, never_tried: Iterable[int] = ()
) -> list[int]:
    """Of these comments, stuck in `received`, the ones to send to the broker again
    (`never_tried`: those whose processing never started)."""
    if current_app.config["TASKS_EAGER"]:
        return list(stuck_ids)
    celery = current_app.extensions["celery"]
    queue = current_app.config["CELERY_QUEUE"]
    held = snapshot(celery, queue, PROCESS_COMMENT, stuck_after)
    woken = wake.wake_flag(current_app._get_current_object()) is not None
    return comments_to_resend(stuck_ids, held, never_tried if woken else ())


def snapshot(celery: Celery, queue: str, task_name: str, stuck_after: float) -> QueueSnapshot:
    """Look at the broker; an unreachable broker gives an unknown depth (nothing re-sent:
    the send would fail anyway)."""
    try:
        with celery.connection_for_read() as connection:
            channel = connection.default_channel
            depth = _depth(connection, channel, queue)
            if connection.transport.driver_type != "redis" or depth > MAX_MESSAGES_READ:
                return QueueSnapshot(depth)
            client = channel.client
            held = _ids_in_redis_list(client, queue, task_name) | _ids_in_redis_unacked(
                client, queue, task_name, unacked_since=time.time() - stuck_after
            )
            return QueueSnapshot(depth, frozenset(held))
    except Exception:  # noqa: BLE001 - the broker is down or refused: re-send nothing now
        log.warning("could not look at the broker queue %s", queue, exc_info=True)
        return QueueSnapshot(None)


def _depth(connection, channel, queue: str) -> int:
    try:
        return channel.queue_declare(queue=queue, passive=True).message_count
    except connection.channel_errors:
        # NOT_FOUND: never declared, or (Redis) an empty list, which Redis deletes.
        return 0


def _ids_in_redis_list(client, queue: str, task_name: str) -> set[int]:
    return {
        comment_id
        for raw in client.lrange(queue, 0, MAX_MESSAGES_READ)
        if (comment_id := _comment_id(raw, task_name)) is not None
    }


def _ids_in_redis_unacked(client, queue: str, task_name: str, unacked_since: float) -> set[int]:
    recent_tags = client.zrangebyscore(REDIS_UNACKED_INDEX_KEY, unacked_since, "+inf")
    if not recent_tags:
        return set()
    ids = set()
    for entry in client.hmget(REDIS_UNACKED_KEY, recent_tags):
        if entry is None:
            continue
        raw, _exchange, routing_key = json.loads(entry)
        if routing_key == queue and (comment_id := _comment_id(raw, task_name)) is not None:
            ids.add(comment_id)
    return ids


def _comment_id(raw: bytes | str | dict, task_name: str) -> int | None:
    """The comment id of a Celery (protocol 2) message for `task_name`, else None."""
    try:
        message = json.loads(raw) if isinstance(raw, (bytes, str)) else raw
        if message["headers"]["task"] != task_name:
            return None
        body = message["body"]
        if message["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        return int(args[0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
