"""One fault scenario against real processes, and what became of every comment sent.

The stack: a throw-away PostgreSQL database, a broker (a private redis-server with the
production AOF settings, or the machine's RabbitMQ behind a cuttable proxy with a queue of
this run's own), a prefork `celery worker` and a separate `celery beat`, both supervised as
`make run` supervises them (scripts/run_all.py), and the Flask app answering the POSTs.
A 300-comment burst is posted while one fault strikes:

- `worker_killed`: the worker's whole process group gets SIGKILL (an out-of-memory kill);
- `broker_down`: Redis is SIGKILLed (or every RabbitMQ connection cut) for 20 s while the
  worker holds unacknowledged messages, then comes back;
- `database_down`: PostgreSQL refuses connections to the database for 10 s
  (`ALLOW_CONNECTIONS false` and every backend terminated).

Then it waits, with no manual step, until every accepted comment has left `received`.
Used by tests/reliability/test_faults.py (assertions) and bench/bench_faults.py (figures).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from service.comments.models import Comment, Status
from service.extensions import db
from service.moderation.models import ModerationEvent
from tests import support
from tests.reliability.brokers import BROKERS, PrivateRedis

sys.path.insert(0, str(support.ROOT / "scripts"))
import run_all  # noqa: E402

BURST = 300
FAULT_AFTER = 100  # comments posted before the fault strikes
POST_INTERVAL_SECONDS = 0.02
BROKER_OUTAGE_SECONDS = 20
DATABASE_OUTAGE_SECONDS = 10
DRAIN_TIMEOUT_SECONDS = 150
DONE = (Status.PENDING, Status.SPAM, Status.APPROVED)
FAULTS = ("none", "worker_killed", "broker_down", "database_down")


@dataclass
class Figures:
    fault: str
    broker: str
    sent: int = 0
    accepted: int = 0
    refused_503: int = 0
    refused_without_retry_after: int = 0
    server_errors: list[int] = field(default_factory=list)
    processed: int = 0
    lost: int = 0
    duplicated: int = 0
    drain_seconds: float | None = None
    worker_restarts: int = 0
    worker_log: str = ""

    def row(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "worker_log"}


class Stack:
    """Database, broker, supervised worker and beat, and the app; torn down on exit."""

    def __init__(self, broker: str, directory: Path):
        self.directory = directory
        self.broker = BROKERS[broker](directory)
        self.queue = support.unique_name("faults_q")
        self._exit = ExitStack()
        self._supervising = threading.Event()

    def __enter__(self) -> Stack:
        from shutil import which

        if which("redis-server") is None:
            support.unavailable("redis-server binary is not installed")
        try:
            self._start()
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self._exit.close()

    def _start(self) -> None:
        self.db_url = self._exit.enter_context(support.pg_database("talkback_faults"))
        self.broker.start()
        self._exit.callback(self.broker.stop, self.queue)
        self.env = self._environment()
        self.app = self._migrated_app()
        self.workers = [
            run_all.Child(name, command, env={**os.environ, **self.env}, log_path=log)
            for name, command, log in self._commands()
        ]
        self._exit.callback(self._stop_children)
        for child in self.workers:
            child.start(time.monotonic())
        threading.Thread(target=self._supervise, daemon=True).start()

    def _environment(self) -> dict[str, str]:
        instance = self.directory / "instance"
        instance.mkdir(exist_ok=True)
        return {
            "DATABASE_URL": self.db_url,
            "REDIS_URL": self.broker.url if isinstance(self.broker, PrivateRedis) else "",
            "CELERY_BROKER_URL": self.broker.url,
            "TALKBACK_QUEUE": self.queue,
            "TALKBACK_INSTANCE_DIR": str(instance),
            "TALKBACK_SPAM_MODEL_DIR": str(instance / "models"),
            "TALKBACK_STUCK_AFTER_SECONDS": "5",
            "TALKBACK_SWEEP_INTERVAL_SECONDS": "2",
            "SECRET_KEY": "faults-secret",
            "RATELIMIT_STORAGE_URI": "memory://",
        }

    def _migrated_app(self):
        from flask_migrate import upgrade

        from service.accounts import services as accounts
        from tests.conftest import integration_app

        app = integration_app(self.env)
        with app.app_context():
            upgrade()
            accounts.create_site("faults", "Faults", [])
            db.session.remove()
        self._exit.callback(self._dispose, app)
        return app

    @staticmethod
    def _dispose(app) -> None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    def _commands(self):
        celery = [str(Path(sys.executable).parent / "celery"), "-A", "workers.celery_app"]
        worker = [*celery, "worker", "--concurrency", "2", "-Q", self.queue]
        worker += ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
        beat = [*celery, "beat", "-s", str(self.directory / "beat-schedule")]
        beat += ["--loglevel", "INFO"]
        return [
            ("worker", worker, self.directory / "worker.log"),
            ("beat", beat, self.directory / "beat.log"),
        ]

    def _supervise(self) -> None:
        while not self._supervising.is_set():
            for child in self.workers:
                child.check(time.monotonic())
            self._supervising.wait(0.2)

    def _stop_children(self) -> None:
        self._supervising.set()
        for child in self.workers:
            child.stop()
        for child in self.workers:
            child.wait()
            if child.process and child.process.poll() is None:
                os.killpg(child.process.pid, signal.SIGKILL)

    @property
    def worker(self) -> run_all.Child:
        return self.workers[0]


class Poster(threading.Thread):
    """Posts the burst at a steady pace, recording each answer."""

    def __init__(self, app, prefix: str, count: int = BURST):
        super().__init__(daemon=True)
        self.app = app
        self.prefix = prefix
        self.count = count
        self.answers: list[tuple[int, int | None, str | None]] = []
        self.ended = 0.0

    def run(self) -> None:
        client = self.app.test_client()
        for number in range(self.count):
            response = client.post(
                "/api/v1/sites/faults/comments",
                json={"uri": f"/{self.prefix}/{number % 10}", "text": f"Comment {number}."},
            )
            body = response.get_json(silent=True) or {}
            self.answers.append(
                (response.status_code, body.get("id"), response.headers.get("Retry-After"))
            )
            time.sleep(POST_INTERVAL_SECONDS)
        self.ended = time.monotonic()

    def accepted_ids(self) -> list[int]:
        return [comment_id for status, comment_id, _ in self.answers if status == 202]


def run(broker: str, faults: tuple[str, ...], directory: Path) -> list[Figures]:
    """One stack, then for each fault: post the burst, strike, wait for the drain, count.

    Each burst starts on an idle worker (the previous one drained) and is counted on its
    own comment ids, so the faults share the stack's start-up cost.
    """
    results = []
    with Stack(broker, directory) as stack:
        support.wait_for(lambda: ready(stack), timeout=60, interval=0.5)
        for fault in faults:
            results.append(run_one(stack, fault, broker))
    return results


def run_one(stack: Stack, fault: str, broker: str) -> Figures:
    figures = Figures(fault, broker, sent=BURST)
    restarts_before = stack.worker.restarts
    log_offset = stack.worker.log_path.stat().st_size
    poster = Poster(stack.app, prefix=fault)
    poster.start()
    support.wait_for(lambda: len(poster.answers) >= FAULT_AFTER, timeout=60)
    if fault == "broker_down":
        hold_an_unacked_message(stack, poster.accepted_ids()[-1])
    fault_ended = strike(fault, stack)
    poster.join(timeout=120)
    accepted = poster.accepted_ids()
    figures.drain_seconds = drain(stack.app, accepted, since=fault_ended)
    count(figures, stack, poster, accepted)
    figures.worker_restarts = stack.worker.restarts - restarts_before
    with stack.worker.log_path.open("rb") as log:
        log.seek(log_offset)
        figures.worker_log = log.read().decode(errors="replace")
    return figures


def ready(stack: Stack) -> bool:
    """The worker consumes: its log says so (a first comment would skew the counts)."""
    log = stack.worker.log_path
    return log.exists() and b" ready." in log.read_bytes()


def hold_an_unacked_message(stack: Stack, comment_id: int) -> None:
    """Make sure the worker holds an unacknowledged message when the broker goes: a retry
    waiting for its countdown, as after a database hiccup (a no-op when it runs: the
    comment is processed by then). On Redis the worker reserves it at once."""
    from service import queue

    with stack.app.app_context():
        task = stack.app.extensions["celery"].send_task(
            queue.PROCESS_COMMENT, args=(comment_id,), countdown=60
        )
    if isinstance(stack.broker, PrivateRedis):
        import redis

        client = redis.Redis.from_url(stack.broker.url)

        def reserved() -> bool:
            return any(task.id.encode() in entry for entry in client.hvals("unacked"))

        support.wait_for(reserved, timeout=20)
        client.close()


def strike(fault: str, stack: Stack) -> float:
    """Inject the fault; returns the monotonic time at which it ended."""
    if fault == "worker_killed":
        os.killpg(stack.worker.process.pid, signal.SIGKILL)
    elif fault == "broker_down":
        stack.broker.fail()
        time.sleep(BROKER_OUTAGE_SECONDS)
        stack.broker.recover()
    elif fault == "database_down":
        with refused_connections(stack.db_url):
            time.sleep(DATABASE_OUTAGE_SECONDS)
    return time.monotonic()


class refused_connections:  # noqa: N801 - used as a context manager, reads like one
    """PostgreSQL refuses every connection to the database, and drops the ones it had."""

    def __init__(self, url: str):
        self.name = url.rsplit("/", 1)[1]
        self.admin = create_engine(support.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def __enter__(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": self.name},
            )

    def __exit__(self, *_exc) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true'))
        self.admin.dispose()


def drain(app, accepted: list[int], since: float) -> float | None:
    """Seconds from the end of the fault until no accepted comment is left `received`."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not waiting(app, accepted):
            return round(max(time.monotonic() - since, 0.0), 1)
        time.sleep(0.5)
    return None


def waiting(app, ids: list[int]) -> int:
    with app.app_context():
        try:
            return db.session.scalar(
                select(func.count()).where(Comment.id.in_(ids), Comment.status.not_in(DONE))
            )
        finally:
            db.session.remove()


def count(figures: Figures, stack: Stack, poster: Poster, accepted: list[int]) -> None:
    statuses = [status for status, _, _ in poster.answers]
    figures.accepted = len(accepted)
    refused = [answer for answer in poster.answers if answer[0] == 503]
    figures.refused_503 = len(refused)
    figures.refused_without_retry_after = sum(1 for *_, retry in refused if not retry)
    figures.server_errors = sorted({status for status in statuses if status >= 500} - {503})
    figures.processed = len(accepted) - waiting(stack.app, accepted)
    figures.lost = figures.accepted - figures.processed
    with stack.app.app_context():
        per_comment = (
            select(ModerationEvent.comment_id)
            .where(
                ModerationEvent.from_status == Status.RECEIVED,
                ModerationEvent.comment_id.in_(accepted),
            )
            .group_by(ModerationEvent.comment_id)
            .having(func.count() > 1)
        )
        figures.duplicated = len(db.session.scalars(per_comment).all())
        db.session.remove()
