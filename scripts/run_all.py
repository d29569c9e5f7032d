"""Start web, worker and beat together for the demo and keep them running; Ctrl-C stops all.

A child that exits (the worker after a broker outage it could not survive, an out-of-memory
kill, a crash) is started again after a back-off that doubles from 1 s to 30 s, and is reset
once the child has stayed up for a minute, so one crash-looping child neither takes the
others down nor spins the CPU.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = os.environ.get("TALKBACK_HOST", "127.0.0.1")
# TALKBACK_PORT, else PORT (what most hosting platforms set), else 5000.
PORT = os.environ.get("TALKBACK_PORT") or os.environ.get("PORT") or "5000"
FIRST_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
# A child up this long counts as healthy again: its next crash restarts it at once.
STABLE_AFTER_SECONDS = 60.0


def commands() -> dict[str, list[str]]:
    instance = Path(os.environ.get("TALKBACK_INSTANCE_DIR", ROOT / "instance"))
    embedded = not (os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL"))
    # One solo worker on the SQLite broker: a single writer keeps SQLite happy.
    pool = ["-P", "solo"] if embedded else ["--concurrency", "2"]
    queue = os.environ.get("TALKBACK_QUEUE", "talkback")
    celery = [str(BIN / "celery"), "-A", "workers.celery_app"]
    return {
        "web": [str(BIN / "gunicorn"), "-w", "2", "-b", f"{HOST}:{PORT}", "service:create_app()"],
        "worker": [*celery, "worker", *pool, "-Q", queue, "--loglevel", "INFO"],
        "beat": [
            *celery,
            "beat",
            "-s",
            str(instance / "celerybeat-schedule"),
            "--loglevel",
            "INFO",
        ],
    }


@dataclass
class Child:
    """One supervised process: when it exits, it is started again after `backoff` seconds."""

    name: str
    command: list[str]
    env: dict[str, str] | None = None
    log_path: Path | None = None
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    backoff: float = FIRST_BACKOFF_SECONDS
    restarts: int = field(default=0)

    def start(self, now: float) -> None:
        # Its own process group, so stopping a prefork worker reaches its pool too.
        log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT if log else None,
            start_new_session=True,
        )
        if log:
            log.close()  # the child has its own copy
        self.started_at = now
        self.restart_at = None

    def check(self, now: float) -> None:
        """Notice an exit and plan the restart; restart when its time has come."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.restarts += 1
                self.start(now)
            return
        if self.process is None or self.process.poll() is None:
            return
        if now - self.started_at >= STABLE_AFTER_SECONDS:
            self.backoff = FIRST_BACKOFF_SECONDS
        print(
            f"[run_all] {self.name} exited with {self.process.returncode}; "
            f"restarting in {self.backoff:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        self.restart_at = now + self.backoff
        self.backoff = min(self.backoff * 2, MAX_BACKOFF_SECONDS)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def supervise(children: list[Child], *, poll_seconds: float = 0.5) -> None:
    """Run the children until SIGTERM or SIGINT, restarting any that exit."""
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        child.start(time.monotonic())
    try:
        while not stopping:
            time.sleep(poll_seconds)
            for child in children:
                child.check(time.monotonic())
    finally:
        for child in children:
            child.stop()
        for child in children:
            child.wait()


def main() -> int:
    children = [Child(name, command) for name, command in commands().items()]
    print(f"\nTalkback demo: http://{HOST}:{PORT}/demo  (Ctrl-C to stop)\n", flush=True)
    supervise(children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
