"""Helpers shared by the test modules: service checks, waiting, and subprocess workers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TALKBACK_SHARED_DIR", ROOT.parent / "shared"))
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get(
    "TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def unavailable(reason: str) -> None:
    """Skip on a developer's laptop, fail under CI: CI must never skip silently."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)")
    pytest.skip(reason)


def shared_data(*parts: str) -> Path:
    path = SHARED.joinpath("data", *parts)
    if not path.exists():
        unavailable(f"{path} is absent: the shared data folder is needed for this test")
    return path


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], object], timeout: float = 20, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def start_worker(
    env: dict[str, str], *, beat: bool = False, log_path: Path | None = None, cwd: Path = ROOT
):
    """A real `celery worker` subprocess on the given environment (from the checkout `cwd`)."""
    cmd = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "workers.celery_app",
        "worker",
        "-P",
        "solo",
        "-Q",
        env["TALKBACK_QUEUE"],
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
    ]
    if beat:
        cmd += ["-B", "-s", str(Path(env["TALKBACK_INSTANCE_DIR"]) / "beat-schedule")]
    out = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        cmd, cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
    )


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def pg_database(prefix: str) -> Iterator[str]:
    """A throw-away PostgreSQL database (its URL), dropped on exit; unavailable() without PG."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if not port_open("127.0.0.1", 5432):
        unavailable("PostgreSQL is not answering on 127.0.0.1:5432")
    name = unique_name(prefix)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def testing_app(tmp_path: Path, **overrides):
    """A testing app on in-memory SQLite with its own model directory, plus overrides."""
    from service import create_app

    config = {
        "TALKBACK_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SPAM_MODEL_DIR": str(tmp_path / "models"),
    }
    return create_app({**config, **overrides})
