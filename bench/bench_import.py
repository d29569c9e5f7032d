"""Importing a large Disqus export: peak memory, speed, nesting, and a re-run that adds nothing.

Run: `.venv/bin/python bench/bench_import.py [--comments 50000] [--write-docs]`.
Generates a Disqus export from the documented format (help.disqus.com "Comments Export":
threads first, then posts with `dsq:id`, `<thread dsq:id>`, `<parent dsq:id>`, states,
authors with e-mail; a share of replies comes before their parent, which exports do not
rule out), then runs `flask import disqus` in a fresh process for:

- baseline: the same command on a 1,000-comment file (app start-up, imports, bleach);
- the full file; then the full file again (the re-run must add nothing).

Peak memory is the process' maximum resident set size (ru_maxrss), so the ratio against the
baseline shows whether memory grows with the file (it must not: the XML is streamed).
Nesting is checked afterwards for every comment against the parent the generator chose.
`--write-docs` replaces the figures block in docs/porting.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREADS = 500
LIMIT_MB = 200
STATES = ["approved"] * 85 + ["spam"] * 10 + ["deleted"] * 5


def generate(path: Path, comments: int, seed: int = 17) -> dict[str, str | None]:
    """Write the export; return each post's dsq:id -> its parent's dsq:id (or None)."""
    rng = random.Random(seed)
    parents: dict[str, str | None] = {}
    by_thread: dict[int, list[str]] = {t: [] for t in range(THREADS)}
    posts: list[str] = []
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" ')
        out.write('xmlns:dsq="http://disqus.com/disqus-internals">\n')
        for t in range(THREADS):
            out.write(
                f'<thread dsq:id="t{t}"><id>post-{t}</id><forum>bench</forum>'
                f"<link>https://blog.example/{t}/post-{t}/</link>"
                f"<title>Post number {t} — ünïcödé</title></thread>\n"
            )
        for n in range(comments):
            t = rng.randrange(THREADS)
            earlier = by_thread[t]
            parent = rng.choice(earlier) if earlier and rng.random() < 0.4 else None
            dsq_id = f"{1_000_000 + n}"
            parents[dsq_id] = parent
            earlier.append(dsq_id)
            parent_xml = f'<parent dsq:id="{parent}"/>' if parent else ""
            state = rng.choice(STATES)
            posts.append(
                f'<post dsq:id="{dsq_id}"><id/><message><![CDATA[<p>Comment {n} with '
                f"<b>some</b> words, a <a href='https://example.org/{n}'>link</a> and "
                f"émoji 🎉. {'Lorem ipsum dolor sit amet. ' * rng.randint(1, 8)}</p>]]>"
                f"</message><createdAt>2020-01-01T00:00:00Z</createdAt>"
                f"<isDeleted>{str(state == 'deleted').lower()}</isDeleted>"
                f"<isSpam>{str(state == 'spam').lower()}</isSpam><author>"
                f"<email>reader{n % 5000}@example.org</email><name>Reader {n % 5000}</name>"
                f'<isAnonymous>false</isAnonymous></author><thread dsq:id="t{t}"/>'
                f"{parent_xml}</post>\n"
            )
            if len(posts) >= 1000:
                _write_shuffled_block(out, posts, rng)
        _write_shuffled_block(out, posts, rng)
        out.write("</disqus>\n")
    return parents


def _write_shuffled_block(out, posts: list[str], rng: random.Random) -> None:
    # Swapping neighbours puts some replies before their parent.
    for i in range(0, len(posts) - 1, 7):
        posts[i], posts[i + 1] = posts[i + 1], posts[i]
    out.writelines(posts)
    posts.clear()


def run_import(database: Path, export: Path) -> dict:
    """`flask import disqus` in its own process; its time, peak memory and output."""
    env = {
        **os.environ,
        "FLASK_APP": "service",
        "TALKBACK_ENV": "development",
        "DATABASE_URL": f"sqlite:///{database}",
        "TALKBACK_INSTANCE_DIR": str(database.parent),
    }
    flask = [sys.executable, "-m", "flask"]
    if not database.exists():
        subprocess.run(
            [*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        subprocess.run(
            [*flask, "sites", "create", "bench"], env=env, cwd=ROOT, check=True, capture_output=True
        )
    script = (
        "import resource, subprocess, sys, time, json\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'seconds': time.perf_counter() - start,\n"
        "  'peak_mb': usage.ru_maxrss / 1024, 'code': done.returncode,\n"
        "  'out': done.stdout + done.stderr}))\n"
    )
    command = [*flask, "import", "disqus", str(export), "--site", "bench", "--quiet"]
    result = subprocess.run(
        [sys.executable, "-c", script, *command],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    measured = json.loads(result.stdout)
    if measured["code"] != 0:
        raise SystemExit(f"import failed:\n{measured['out']}")
    return measured


def wrong_parents(database: Path, parents: dict[str, str | None]) -> int:
    connection = sqlite3.connect(database)
    rows = connection.execute(
        "SELECT child.source_id, parent.source_id FROM imported_comments child "
        "JOIN comments c ON c.id = child.comment_id "
        "LEFT JOIN imported_comments parent ON parent.comment_id = c.parent_id"
    ).fetchall()
    connection.close()
    found = dict(rows)
    return sum(found.get(source_id) != parent for source_id, parent in parents.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="talkback-import-") as folder:
        folder = Path(folder)
        small, large = folder / "small.xml", folder / "large.xml"
        generate(small, 1000)
        parents = generate(large, args.comments)
        size_mb = large.stat().st_size / 1e6
        baseline = run_import(folder / "baseline.db", small)
        first = run_import(folder / "bench.db", large)
        again = run_import(folder / "bench.db", large)
        wrong = wrong_parents(folder / "bench.db", parents)
    replies = sum(1 for p in parents.values() if p)
    lines = [
        f"Disqus file: {args.comments:,} comments ({replies:,} replies) on {THREADS} pages, "
        f"{size_mb:.1f} MB; SQLite; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPU(s)",
        "| run | seconds | comments/s | peak memory (MB) | x baseline memory |",
        "|---|---:|---:|---:|---:|",
        _row("baseline: 1,000 comments", baseline, 1000, baseline),
        _row(f"{args.comments:,} comments", first, args.comments, baseline),
        _row("same file again (re-run)", again, args.comments, baseline),
        "",
        f"nesting: {wrong} of {args.comments:,} comments with a wrong parent; "
        f"re-run: {_imported(again['out'])} new comment(s); peak memory limit {LIMIT_MB} MB: "
        f"{'held' if first['peak_mb'] < LIMIT_MB and again['peak_mb'] < LIMIT_MB else 'NOT held'}",
    ]
    print("\n".join(lines))
    if args.write_docs:
        _write_docs("\n".join(lines))
    if wrong or _imported(again["out"]) != 0 or first["peak_mb"] >= LIMIT_MB:
        raise SystemExit(1)


def _imported(output: str) -> int:
    match = re.search(r"imported (\d+) comment", output)
    return int(match.group(1)) if match else -1


def _row(label: str, measured: dict, comments: int, baseline: dict) -> str:
    return (
        f"| {label} | {measured['seconds']:.1f} | {comments / measured['seconds']:,.0f} | "
        f"{measured['peak_mb']:.0f} | {measured['peak_mb'] / baseline['peak_mb']:.2f} |"
    )


def _write_docs(block: str) -> None:
    docs = ROOT / "docs" / "porting.md"
    text = docs.read_text(encoding="utf-8")
    start, end = "<!-- bench_import:start -->", "<!-- bench_import:end -->"
    head, rest = text.split(start, 1)
    docs.write_text(f"{head}{start}\n{block}\n{end}{rest.split(end, 1)[1]}", encoding="utf-8")


if __name__ == "__main__":
    main()
