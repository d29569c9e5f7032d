"""Server time of the moderation queue page with 100,000 comments on one site.

Run: `.venv/bin/python bench/bench_queue.py [--comments 100000] [--runs 21] [--write-docs]`.
Seeds the comments by bulk insert into a throw-away SQLite file and, when PostgreSQL
answers on 127.0.0.1:5432, into a throw-away PostgreSQL database (dropped afterwards).
Then it signs a moderator in and times the pages through the Flask test client (so the
figure is server time: routing, queries, template; no network), median of N after warm-up:

- baseline: a page that only runs `SELECT 1` (app, session and request overhead), and the
  public API's thread read (one indexed query, JSON) — both measured in the same run;
- the queue's first page, a deep keyset page (~90% of the way down), a score-range filter,
  a text search, and the audit log.

Ratios against the `SELECT 1` page stay meaningful on a noisy machine where absolute times
drift. `--write-docs` replaces the figures block in docs/dashboard.md.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import create_app  # noqa: E402
from service.accounts import passwords  # noqa: E402
from service.accounts import services as accounts  # noqa: E402
from service.accounts.models import Role  # noqa: E402
from service.comments.models import Comment, Status, Thread  # noqa: E402
from service.extensions import db  # noqa: E402
from service.moderation import queue as moderation_queue  # noqa: E402
from service.moderation.models import ModerationEvent  # noqa: E402
from tests import support  # noqa: E402

EMAIL = "bench@example.org"
PASSWORD = "bench password 1234"
THREADS = 500
TARGET_MS = 300
DOCS = ROOT / "docs" / "dashboard.md"
WORDS = [
    *("the", "comment", "thread", "argument", "chart", "data", "source", "evidence"),
    *("policy", "reader", "article", "point", "agree", "disagree", "thanks", "question"),
    *("answer", "update", "link", "because", "however", "therefore"),
]
STATUS_MIX = [Status.PENDING] * 90 + [Status.SPAM] * 5 + [Status.APPROVED] * 4 + [Status.REJECTED]
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def seed(n: int) -> None:
    """One site, THREADS threads, n comments (90% pending), inserted in bulk."""
    rng = random.Random(42)
    site = accounts.create_site("bench", "Bench blog", ["https://bench.example"])
    moderator = accounts.get_or_create_moderator(EMAIL)
    accounts.grant_role(moderator, site, Role.OWNER)
    moderator.password_hash = passwords.hash_password(PASSWORD)
    db.session.commit()
    db.session.execute(
        insert(Thread),
        [{"site_id": site.id, "uri": f"/post/{i}", "title": f"Post {i}"} for i in range(THREADS)],
    )
    thread_ids = db.session.scalars(select(Thread.id).where(Thread.site_id == site.id)).all()
    start = datetime.now(UTC) - timedelta(days=60)
    rows = []
    for i in range(n):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
        if i % 997 == 0:
            body += " needle"
        score = round(rng.random(), 4)
        rows.append(
            {
                "site_id": site.id,
                "thread_id": rng.choice(thread_ids),
                "author_name": f"Reader {i % 5000}",
                "email": f"reader{i % 5000}@example.net",
                "website": "",
                "text": body,
                "html": f"<p>{body}</p>",
                "status": rng.choice(STATUS_MIX),
                "spam_score": score,
                "spam_reasons": [{"code": "one_link", "weight": 0.1, "detail": "A link."}]
                if score > 0.5
                else [],
                "signals": {},
                "ip": f"203.0.{i % 250}.0",
                "user_agent": "bench",
                "edit_token_hash": "",
                "created_at": start + timedelta(seconds=i * 50),
                "updated_at": start + timedelta(seconds=i * 50),
            }
        )
        if len(rows) == 10_000:
            db.session.execute(insert(Comment), rows)
            rows = []
    if rows:
        db.session.execute(insert(Comment), rows)
    # An audit trail to page through: one event per comment for the first 20,000.
    ids = db.session.scalars(select(Comment.id).order_by(Comment.id).limit(20_000)).all()
    db.session.execute(
        insert(ModerationEvent),
        [
            {
                "comment_id": cid,
                "site_id": site.id,
                "actor_id": None,
                "from_status": "received",
                "to_status": "pending",
                "reason": "pipeline",
                "created_at": start,
            }
            for cid in ids
        ],
    )
    db.session.commit()
    # Fresh planner statistics, as a live database would have (both dialects know ANALYZE).
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def deep_cursor(fraction: float) -> str:
    """The keyset marker of the row `fraction` of the way down the pending queue."""
    filters = moderation_queue.QueueFilters(site_ids=frozenset({accounts.get_site("bench").id}))
    total = db.session.scalar(
        select(db.func.count()).where(
            Comment.site_id.in_(filters.site_ids), Comment.status == Status.PENDING
        )
    )
    row = db.session.execute(
        select(Comment.spam_score, Comment.id)
        .where(Comment.site_id.in_(filters.site_ids), Comment.status == Status.PENDING)
        .order_by(Comment.spam_score.desc(), Comment.id.desc())
        .offset(int(total * fraction))
        .limit(1)
    ).one()
    return moderation_queue.Cursor(row[0], row[1]).encode()


def timed(client, path: str, runs: int) -> float:
    """Median milliseconds for GET path, after three warm-up requests."""
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - begin)
        assert response.status_code == 200
    return statistics.median(samples) * 1000


def run(label: str, url: str, n: int, runs: int) -> list[tuple[str, float]]:
    app = create_app(
        {"TALKBACK_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ECHO": False}
    )

    @app.get("/bench/select-1")
    def select_one():
        db.session.execute(text("SELECT 1"))
        return "ok"

    with app.app_context():
        db.create_all()
        began = time.perf_counter()
        seed(n)
        print(f"[{label}] seeded {n:,} comments in {time.perf_counter() - began:.1f} s")
        cursor = deep_cursor(0.9)
    client = app.test_client()
    token = CSRF_RE.search(client.get("/moderate/login").get_data(as_text=True)).group(1)
    login = client.post(
        "/moderate/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert login.status_code == 302, login.status_code
    pages = [
        ("baseline: SELECT 1 page", "/bench/select-1"),
        ("baseline: API thread read", "/api/v1/sites/bench/threads?uri=/post/7"),
        ("queue, first page", "/moderate/queue"),
        ("queue, deep keyset page (90%)", f"/moderate/queue?after={cursor}"),
        ("queue, score 0.40-0.45", "/moderate/queue?min_score=0.4&max_score=0.45"),
        ("queue, spam folder", "/moderate/queue?status=spam"),
        ("queue, text search (rare word)", "/moderate/queue?q=needle"),
        ("audit log, first page", "/moderate/audit"),
    ]
    results = [(name, timed(client, path, runs)) for name, path in pages]
    baseline = results[0][1]
    print(f"[{label}] median of {runs} requests (server time, test client):")
    for name, ms in results:
        flag = "" if name.startswith("baseline") or ms < TARGET_MS else "  OVER TARGET"
        print(f"  {name:34s} {ms:8.1f} ms  x{ms / baseline:6.1f}{flag}")
    return results


def postgres_url() -> tuple[str, str] | None:
    if not support.port_open("127.0.0.1", 5432):
        return None
    name = support.unique_name("talkback_bench")
    admin = create_engine(support.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(support.PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return url, name


def drop_postgres(name: str) -> None:
    admin = create_engine(support.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def markdown(all_results: dict[str, list[tuple[str, float]]], n: int, runs: int) -> str:
    labels = list(all_results)
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({platform.python_implementation()} {platform.python_version()}), {n:,} comments on "
        f"one site, median of {runs} requests, server time via the Flask test client.",
        "",
        "| page | " + " | ".join(f"{label} ms | × SELECT 1" for label in labels) + " |",
        "|---|" + "---:|---:|" * len(labels),
    ]
    names = [name for name, _ in all_results[labels[0]]]
    for index, name in enumerate(names):
        cells = []
        for label in labels:
            ms = all_results[label][index][1]
            cells.append(f"{ms:.1f} | {ms / all_results[label][0][1]:.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_docs(block: str) -> None:
    content = DOCS.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    before, _, rest = content.partition(start)
    _, _, after = rest.partition(end)
    DOCS.write_text(f"{before}{start}\n{block}\n{end}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = run(
            "SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.comments, args.runs
        )
    pg = postgres_url()
    if pg is None:
        print("[PostgreSQL] not answering on 127.0.0.1:5432; skipped")
    else:
        url, name = pg
        try:
            results["PostgreSQL"] = run("PostgreSQL", url, args.comments, args.runs)
        finally:
            drop_postgres(name)
    block = markdown(results, args.comments, args.runs)
    print()
    print(block)
    if args.write_docs:
        write_docs(block)
        print(f"\nwrote {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
