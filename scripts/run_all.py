"""Start web, worker and beat together for the demo; Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = os.environ.get("TALKBACK_HOST", "127.0.0.1")
PORT = os.environ.get("TALKBACK_PORT", "5000")


def commands() -> dict[str, list[str]]:
    instance = Path(os.environ.get("TALKBACK_INSTANCE_DIR", ROOT / "instance"))
    embedded = not os.environ.get("REDIS_URL")
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


def main() -> int:
    children = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in commands().items()}
    print(f"\nTalkback demo: http://{HOST}:{PORT}/demo  (Ctrl-C to stop)\n", flush=True)

    def stop(*_args) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
    finally:
        stop()
        for child in children.values():
            child.wait(timeout=20)
    failed = [name for name, child in children.items() if child.returncode not in (0, -15)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
