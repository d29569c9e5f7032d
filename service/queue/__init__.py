"""The service's side of Celery: build the Celery app from Flask config and send tasks by name.

`service/` never imports `workers/`; tasks are addressed by their registered names, so the
web process only needs a broker connection, not the task code.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask, current_app
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.orm import Session

from service.extensions import db
from service.queue import wake
from service.queue.models import ParkedTask
from service.queue.names import (  # noqa: F401 - callers write queue.PROCESS_COMMENT
    DELIVER_WEBHOOK,
    LEARN_FROM_DECISION,
    NOTIFY_NEW_COMMENT,
    PROCESS_COMMENT,
    PURGE_NETWORK_DATA,
    READER_MAIL_ON_PUBLISH,
    RESEND_STUCK,
    ROUTE_EDITED_COMMENT,
    RUN_IMPORT_JOB,
    SEND_DAILY_DIGESTS,
)

log = logging.getLogger(__name__)

# The longest retry delay any task may ask for, and Redis' redelivery timeout above it.
MAX_RETRY_DELAY_SECONDS = 3600
VISIBILITY_TIMEOUT_SECONDS = MAX_RETRY_DELAY_SECONDS + 300


def make_celery(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config["CELERY_BROKER_URL"]
    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=broker,
        **_broker_settings(broker),
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        talkback_reconnect_max_seconds=app.config["BROKER_RECONNECT_MAX_SECONDS"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=app.config["CELERY_QUEUE"],
        include=["workers.tasks"],
        beat_schedule={
            "resend-stuck-comments": {
                "task": RESEND_STUCK,
                "schedule": float(app.config["SWEEP_INTERVAL_SECONDS"]),
                # Beat keeps queueing sweeps while no worker runs; the next one due makes
                # the older ones pointless, so they expire instead of running all at once.
                "options": {"expires": float(app.config["SWEEP_INTERVAL_SECONDS"])},
            },
            "purge-network-data": {
                "task": PURGE_NETWORK_DATA,
                "schedule": crontab(minute=30, hour=3),
            },
            "send-daily-digests": {
                "task": SEND_DAILY_DIGESTS,
                "schedule": crontab(minute=0, hour=app.config["DIGEST_HOUR_UTC"]),
            },
        },
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


def _broker_settings(broker: str) -> dict:
    """What differs between Redis, RabbitMQ and the embedded SQLite broker."""
    if broker.startswith("redis"):
        return {
            # Kombu's own Redis transport kills the worker when Redis goes away while it
            # holds unacknowledged messages; this subclass survives it.
            "broker_transport": "service.queue.redis_transport:Transport",
            # Redis hands an unacknowledged message out again after this many seconds; a
            # retry waiting for its countdown is unacknowledged too, so this must outlast the
            # longest retry delay (an hour) or every late retry runs twice. A crashed
            # worker's comment does not wait for it: the sweep re-sends it within 90 s.
            "broker_transport_options": {"visibility_timeout": VISIBILITY_TIMEOUT_SECONDS},
        }
    if broker.startswith(("amqp", "pyamqp")):
        return {
            # Quorum queues are replicated and durable; with confirmed publishing a send
            # succeeds only once RabbitMQ holds the message (else the sweep sends it again).
            # Countdowns (retries) use Celery's native delayed delivery, as quorum queues
            # require.
            "task_default_queue_type": "quorum",
            "worker_detect_quorum_queues": True,
            "broker_transport_options": {"confirm_publish": True},
        }
    return {}


def send(task_name: str, *args) -> bool:
    """Queue a task now; return False instead of raising when the broker is unreachable.

    A task other than comment processing that cannot be sent is parked in the database.
    """
    celery: Celery = current_app.extensions["celery"]
    if current_app.config["TASKS_EAGER"]:
        celery.loader.import_default_modules()
        celery.tasks[task_name].apply(args=args, throw=True)
        return True
    return _publish(current_app._get_current_object(), celery, task_name, args)


def announce_new_comment(comment_id: int) -> None:
    """Ask a worker to process a committed comment, without making its author wait (the
    pipeline also announces this way the comments a full batch left waiting).

    On Redis a message goes out only when no wake-up is on its way already (wake.py): the
    worker that takes one routes every comment waiting. A failed or slow send only delays
    the work: the periodic sweep re-sends whatever is still waiting. Redis' client retries
    a refused connection for several seconds, which a reader must never feel, so the
    publish runs in a background thread.
    """
    app = current_app._get_current_object()
    if app.config["TASKS_EAGER"]:
        send(PROCESS_COMMENT, comment_id)
        return
    flag = wake.wake_flag(app)
    if flag is not None and not flag.raise_flag():
        return  # a wake-up is on its way, and its worker will take this comment too
    _executor.submit(_publish_wake_up, app.extensions["celery"], comment_id, flag)


def take_wake_up() -> bool:
    """A worker starting on a PROCESS_COMMENT message: lower the wake-up flag, before any
    claim. True when comments are announced by wake-ups, so the worker must route every
    comment waiting and not only the message's own.

    While the flag is up it first lets the comments of the next few milliseconds gather
    (they find it up and publish nothing): a batch costs about as much as ten comments
    whatever its size. A message that finds it down (a sweep's, a retry) does not wait.
    """
    flag = wake.wake_flag(current_app)
    if flag is None:
        return False
    if flag.is_up():
        time.sleep(current_app.config["PIPELINE_WAKE_GATHER_MS"] / 1000)
    flag.lower()
    return True


def resend_parked(limit: int = 500) -> int:
    """Send parked tasks again, oldest first, until the broker refuses one; returns how many."""
    sent = 0
    for task in db.session.scalars(select(ParkedTask).order_by(ParkedTask.id).limit(limit)):
        if not _try_publish(current_app.extensions["celery"], task.task_name, tuple(task.args)):
            break
        db.session.delete(task)
        sent += 1
    db.session.commit()
    if sent:
        log.info("re-sent %d parked tasks", sent)
    return sent


def prune_embedded_broker(keep: timedelta = timedelta(hours=1)) -> int:
    """Delete delivered messages from the embedded SQLite broker; returns how many.

    Kombu's SQLAlchemy transport marks a fetched message invisible and never deletes it,
    so without this the demo's broker.db grows by every task ever run. Redis needs nothing.
    """
    url = current_app.extensions["celery"].conf.broker_url or ""
    if not url.startswith("sqla+"):
        return 0
    engine = create_engine(url.removeprefix("sqla+"))
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("kombu_message"):
                return 0
            # The transport stamps fetches with naive local time (datetime.now()).
            cutoff = datetime.now() - keep  # noqa: DTZ005
            deleted = connection.execute(
                text("DELETE FROM kombu_message WHERE visible = :no AND timestamp < :cutoff"),
                {"no": False, "cutoff": cutoff},
            ).rowcount
    finally:
        engine.dispose()
    return deleted


_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="talkback-send")
# After a failed publish, skip the broker for a while instead of queueing more doomed sends.
_BROKER_BACKOFF_SECONDS = 5.0
_broker_down_until = 0.0


def _publish_wake_up(celery: Celery, comment_id: int, flag: wake.WakeFlag | None) -> None:
    if not _try_publish(celery, PROCESS_COMMENT, (comment_id,)) and flag is not None:
        flag.lower()  # so the next comment tries again rather than wait for the expiry


def _publish(app: Flask, celery: Celery, task_name: str, args: tuple) -> bool:
    if _try_publish(celery, task_name, args):
        return True
    if task_name != PROCESS_COMMENT:
        _park(app, task_name, args)
    return False


def _try_publish(celery: Celery, task_name: str, args: tuple) -> bool:
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        log.info("broker marked down, %s%r not sent", task_name, args)
        return False
    try:
        celery.send_task(task_name, args=args, retry=False)
    except Exception:  # noqa: BLE001 - any broker failure must not lose the request
        _broker_down_until = time.monotonic() + _BROKER_BACKOFF_SECONDS
        log.warning("broker unreachable, %s%r not sent", task_name, args, exc_info=True)
        return False
    return True


def _park(app: Flask, task_name: str, args: tuple) -> None:
    # Its own session: the caller's may hold changes it has not decided to commit.
    try:
        with app.app_context(), Session(db.engine) as session:
            session.add(ParkedTask(task_name=task_name, args=list(args)))
            session.commit()
    except Exception:  # noqa: BLE001 - the caller's own change is committed and must stand
        log.error("%s%r lost: neither the broker nor the database took it", task_name, args)
        return
    log.info("%s%r parked until the broker is back", task_name, args)
