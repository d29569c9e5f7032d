"""The POST burst with one worker running, for two checkouts in ONE run: messages and CPU.

Run: `.venv/bin/python bench/bench_wake.py --baseline PATH [--rounds 2] [--duration 15]`,
PATH being another checkout of Talkback (say `git archive main | tar -x -C /tmp/base`).
Each round posts new comments with `wrk -t1 -c16` (bench_http.py's "comment POST, 1 worker
process running" row: `gunicorn -w 2 -k sync`, production config on PostgreSQL and Redis,
a throw-away database and queue each) against the baseline and this checkout, in turns,
and prints per checkout: POSTs/s, web CPU per POST, messages the worker took per 1,000
POSTs, worker CPU per comment (from the burst's start until nothing is `received`), what
was still `received` 5 s after the burst and when all was processed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_load  # noqa: E402
import http_seed  # noqa: E402
import http_servers as servers  # noqa: E402

from tests import support  # noqa: E402

SITE = "bench"
PATH = f"/api/v1/sites/{SITE}/comments"
MESSAGE = re.compile(rb"Task talkback\.process_comment\[[^\]]+\] received")


@dataclass
class Burst:
    checkout: str
    posts_per_s: float
    posts: int
    web_cpu_ms_per_post: float
    messages_per_1000_posts: float
    worker_cpu_ms_per_comment: float
    received_after_5s: int
    drained_after_s: float

    def line(self) -> str:
        return (
            f"{self.checkout:<9} {self.posts_per_s:7.1f} POST/s  web {self.web_cpu_ms_per_post:5.2f}"
            f" ms CPU/POST  {self.messages_per_1000_posts:6.1f} messages/1,000 POSTs  worker"
            f" {self.worker_cpu_ms_per_comment:5.2f} ms CPU/comment  received after 5 s:"
            f" {self.received_after_5s}  drained after {self.drained_after_s:.1f} s"
        )


def burst(root: Path, label: str, args: argparse.Namespace, wrk: str, workdir: Path) -> Burst:
    queue = support.unique_name("bench_wake")
    with support.pg_database("talkback_bench_wake") as database_url:
        env = servers.talkback_env(database_url, support.REDIS_URL, queue, workdir)
        subprocess.run(
            [str(servers.BIN / "flask"), "db", "upgrade"],
            cwd=root,
            env={**servers.os.environ, **env, "FLASK_APP": "service"},
            check=True,
            capture_output=True,
        )
        db = http_seed.Database(database_url, queue, SITE)
        try:
            return _measure(root, label, args, wrk, workdir, env, db)
        finally:
            db.forget()
            with db.app.app_context():
                from service.extensions import db as sqla

                sqla.engine.dispose()


def _measure(root, label, args, wrk, workdir, env, db) -> Burst:
    from service.accounts import services as accounts

    with db.app.app_context():
        accounts.create_site(SITE, "Bench", [])
    log_path = workdir / f"worker-{label}-{db.queue}.log"
    worker = support.start_worker(env, log_path=log_path, cwd=root)
    try:
        db.announce(db.backlog(20, "/warm"))  # the model loads on the first comment
        db.wait_until_processed(timeout=120)
        messages_before = len(MESSAGE.findall(log_path.read_bytes()))
        worker_cpu = servers.cpu_seconds(worker.pid)
        with servers.gunicorn(
            servers.BIN / "gunicorn",
            servers.TALKBACK_APP,
            port=(port := servers.free_port()),
            env=env,
            cwd=root,
            probe=f"/api/v1/sites/{SITE}/counts?uri=/",
            log_dir=workdir,
        ) as web:
            script = http_load.new_comment_script(PATH, '"uri": "/burst"')
            web_pids = servers.children(web.pid)
            web_cpu = sum(servers.cpu_seconds(pid) for pid in web_pids)
            load = http_load.run(
                wrk,
                f"http://127.0.0.1:{port}{PATH}",
                duration=args.duration,
                warmup=args.warmup,
                script=script,
            )
            burst_end = time.monotonic()
            web_cpu = sum(servers.cpu_seconds(pid) for pid in web_pids) - web_cpu
        time.sleep(max(0.0, burst_end + 5 - time.monotonic()))
        received_after_5s = db.received()
        db.wait_until_processed(timeout=600)
        drained = time.monotonic() - burst_end
        worker_cpu = servers.cpu_seconds(worker.pid) - worker_cpu
        messages = len(MESSAGE.findall(log_path.read_bytes())) - messages_before
    finally:
        support.stop_process(worker)
    posts = _posted(db)
    return Burst(
        checkout=label,
        posts_per_s=load.rps,
        posts=posts,
        web_cpu_ms_per_post=1000 * web_cpu / posts,
        messages_per_1000_posts=1000 * messages / posts,
        worker_cpu_ms_per_comment=1000 * worker_cpu / posts,
        received_after_5s=received_after_5s,
        drained_after_s=round(drained, 1),
    )


def _posted(db) -> int:
    """Comments the burst posted (warm-up included: the worker processed those too)."""
    from sqlalchemy import func, select

    from service.comments.models import Comment, Thread
    from service.extensions import db as sqla

    with db.app.app_context():
        return sqla.session.scalar(
            select(func.count()).select_from(Comment).join(Thread).where(Thread.uri == "/burst")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args()
    wrk = http_load.ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="talkback-bench-wake-"))
    results: list[Burst] = []
    checkouts = [("baseline", args.baseline.resolve()), ("this", servers.ROOT)]
    for round_number in range(args.rounds):
        # Alternate which goes first: the machine's other load drifts within a round.
        for label, root in checkouts if round_number % 2 == 0 else checkouts[::-1]:
            results.append(burst(root, label, args, wrk, workdir))
            print(f"round {round_number + 1}: {results[-1].line()}", flush=True)
    for label in ("baseline", "this"):
        mine = [result for result in results if result.checkout == label]
        print(f"best of {len(mine)}: {max(mine, key=lambda result: result.posts_per_s).line()}")


if __name__ == "__main__":
    main()
