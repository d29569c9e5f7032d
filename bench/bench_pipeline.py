"""POST -> `pending` latency through a real Celery worker, on Redis + PostgreSQL and embedded.

Run: `.venv/bin/python bench/bench_pipeline.py [--n 100]`. For each broker it starts a
throw-away database and a `celery worker` subprocess, posts N comments one after another
and polls until each has left `received` (`pending`, or `spam` once the flood gate trips). The baseline, measured in the same run on the same
worker, is a `celery inspect ping` round trip: the ratio says how many broker round trips a
comment costs, which stays meaningful on a noisy machine where absolute times drift.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service import create_app  # noqa: E402
from service.accounts import services as accounts  # noqa: E402
from service.comments.models import Comment, Status  # noqa: E402
from service.comments.services import get_or_create_thread  # noqa: E402
from service.extensions import db  # noqa: E402
from service.moderation.pipeline import process_comment  # noqa: E402
from tests import support  # noqa: E402


def quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"


def run(label: str, env: dict[str, str], n: int) -> dict[str, float]:
    app = create_app(
        {
            "TALKBACK_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "CELERY_BROKER_URL": env["CELERY_BROKER_URL"],
            "CELERY_QUEUE": env["TALKBACK_QUEUE"],
            "TASKS_EAGER": False,
        }
    )
    Path(env["TALKBACK_INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    with app.app_context():
        db.create_all()
        accounts.create_site("bench", "Bench")
    worker = support.start_worker(env, log_path=Path(env["TALKBACK_INSTANCE_DIR"]) / "worker.log")
    client = app.test_client()
    try:
        baseline = []
        with app.app_context():
            thread = get_or_create_thread(accounts.get_site("bench"), "/baseline")
            for i in range(20):
                comment = Comment(
                    site_id=thread.site_id,
                    thread_id=thread.id,
                    text=f"Baseline comment {i}.",
                    status=Status.RECEIVED,
                )
                db.session.add(comment)
                db.session.commit()
                started = time.perf_counter()
                process_comment(comment.id)
                baseline.append(time.perf_counter() - started)
        posts, latencies = [], []
        for i in range(n):
            started = time.perf_counter()
            response = client.post(
                "/api/v1/sites/bench/comments",
                json={"uri": "/bench", "text": f"Benchmark comment number {i}."},
            )
            posts.append(time.perf_counter() - started)
            comment_id = response.get_json()["id"]

            def pending(comment_id=comment_id) -> bool:
                with app.app_context():
                    return db.session.get(Comment, comment_id).status != Status.RECEIVED

            support.wait_for(pending, timeout=30, interval=0.005)
            latencies.append(time.perf_counter() - started)
    finally:
        support.stop_process(worker)
    ratio = statistics.median(latencies) / statistics.median(baseline)
    print(f"[{label}] POST 202          {quantiles(posts)}")
    print(f"[{label}] POST -> pending   {quantiles(latencies)}   (n={n})")
    print(f"[{label}] baseline in-process {quantiles(baseline)}")
    print(f"[{label}] ratio pending/in-process: {ratio:.1f}x")
    return {"median": statistics.median(latencies), "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="talkback-bench-"))

    name = support.unique_name("talkback_bench")
    admin = create_engine(support.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    pg = make_url(support.PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        run(
            "redis+postgres",
            {
                "DATABASE_URL": pg,
                "REDIS_URL": support.REDIS_URL,
                "CELERY_BROKER_URL": support.REDIS_URL,
                "TALKBACK_QUEUE": support.unique_name("bench_q"),
                "TALKBACK_INSTANCE_DIR": str(workdir / "pg"),
            },
            args.n,
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    embedded = workdir / "embedded"
    embedded.mkdir()
    run(
        "embedded sqlite",
        {
            "DATABASE_URL": f"sqlite:///{embedded / 'talkback.db'}",
            "REDIS_URL": "",
            "CELERY_BROKER_URL": f"sqla+sqlite:///{embedded / 'broker.db'}",
            "TALKBACK_QUEUE": "talkback",
            "TALKBACK_INSTANCE_DIR": str(embedded),
        },
        max(10, args.n // 5),
    )


if __name__ == "__main__":
    main()
