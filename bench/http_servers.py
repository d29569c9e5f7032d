"""The servers bench_http.py compares, all under the same gunicorn settings on loopback.

- a Flask "hello" floor (what any Flask app costs on this machine),
- Isso, pinned, installed from PyPI into a virtualenv of its own,
- Talkback (production config: PostgreSQL, Redis); its workers are tests.support's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.support import stop_process

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ISSO_VERSION = "0.14.0"
GUNICORN_VERSION = re.search(
    r"^gunicorn==(\S+)", (ROOT / "requirements.txt").read_text(), re.M
).group(1)
# The production shape from the issue: two synchronous workers per server.
GUNICORN_ARGS = ["-w", "2", "-k", "sync", "--log-level", "warning"]
HELLO_APP = """
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
"""
ISSO_CONFIG = """
[general]
dbpath = {db}
host = http://127.0.0.1:{port}/
[moderation]
enabled = false
[guard]
enabled = false
[server]
listen = http://127.0.0.1:{port}/
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers; a 4xx on the probe is fine
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {timeout}s")


@contextmanager
def gunicorn(
    gunicorn_bin: Path,
    app_spec: str,
    *,
    port: int,
    env: dict,
    cwd: Path,
    probe: str,
    log_dir: Path,
    extra: tuple[str, ...] = (),
):
    log = open(log_dir / f"gunicorn-{port}.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(gunicorn_bin), *GUNICORN_ARGS, *extra, "-b", f"127.0.0.1:{port}", app_spec],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}{probe}", process)
        yield process
    finally:
        stop_process(process, timeout=30)  # gunicorn lets a running request finish
        log.close()


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def private_mib(pid: int) -> float:
    """Memory only this process holds (USS): what one more worker really costs."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return (fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def worker_rss_mib(master: subprocess.Popen) -> float:
    """The largest resident set among the server's worker processes, MiB."""
    return max((rss_mib(pid) for pid in children(master.pid)), default=0.0)


def worker_private_mib(master: subprocess.Popen) -> float:
    return max((private_mib(pid) for pid in children(master.pid)), default=0.0)


def floor_app(workdir: Path) -> Path:
    folder = workdir / "floor"
    folder.mkdir(exist_ok=True)
    (folder / "hello.py").write_text(HELLO_APP)
    return folder


def isso_virtualenv(cache: Path) -> Path:
    """Isso and the same gunicorn in their own virtualenv, from PyPI, made once and reused."""
    venv = cache / f"isso-{ISSO_VERSION}-gunicorn-{GUNICORN_VERSION}"
    marker = venv / ".installed"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pins = [f"isso=={ISSO_VERSION}", f"gunicorn=={GUNICORN_VERSION}"]
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", *pins], check=True)
        marker.touch()
    return venv


def isso_settings(workdir: Path, port: int) -> Path:
    path = workdir / "isso.cfg"
    path.write_text(ISSO_CONFIG.format(db=workdir / "isso.db", port=port))
    return path


def isso_widget_gzip(venv: Path) -> int | None:
    """Isso's embed script and stylesheet, gzipped like Talkback's size test does."""
    from service.widget.assets import gzip_size

    found = list(venv.glob("lib/python*/site-packages/isso/js/embed.min.js"))
    if not found:
        return None
    package = found[0].parent.parent
    css = package / "css" / "isso.css"
    size = gzip_size(found[0].read_text(encoding="utf-8"))
    return size + (gzip_size(css.read_text(encoding="utf-8")) if css.exists() else 0)


def talkback_env(database_url: str, redis_url: str, queue: str, workdir: Path, **extra) -> dict:
    return {
        "TALKBACK_ENV": "production",
        "SECRET_KEY": "bench-secret-not-for-production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TALKBACK_QUEUE": queue,
        "TALKBACK_PUBLIC_URL": "http://127.0.0.1",
        "TALKBACK_INSTANCE_DIR": str(workdir),
        "TALKBACK_SPAM_MODEL_DIR": str(workdir / "models"),
        **extra,
    }


# Rate limits off, as for Isso's guard: the bench measures the code, not the limiter.
TALKBACK_APP = "service:create_app({'RATELIMIT_ENABLED': False})"
