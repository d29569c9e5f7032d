"""Resident memory of one web worker: the Flask floor against Talkback, in ONE run.

Run: `.venv/bin/python bench/bench_memory.py [--baseline /path/to/other/checkout]`.
Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (a throw-away database and
a queue of its own are made and removed).

Every server runs as bench_http does (`gunicorn -w 2 -k sync`, production config, see
http_servers.talkback_env). Talkback's workers serve what readers ask for (thread JSON,
counts, the no-JS page, a form token), then a burst of comment POSTs; after each phase the
largest worker's RSS is read as http_servers.worker_rss_mib does, with its private memory
(USS). `--baseline` runs another checkout's Talkback (say `/work/main`) in the same run,
on the same database, so a change is measured against its baseline on the same machine.
`--preload` runs every Talkback under `gunicorn --preload` too: the workers' RSS hardly
changes (shared pages count in each), their USS shows what one more worker really costs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_seed  # noqa: E402
import http_servers as servers  # noqa: E402

from tests import support  # noqa: E402

SITE = "bench"
API = f"/api/v1/sites/{SITE}"
LIMIT_MIB = 60 * 1000 * 1000 / 2**20  # the 60 MB, in MiB


def reader_paths() -> list[str]:
    counts = "&".join(f"uri={uri}" for uri in http_seed.LISTING)
    return [
        f"{API}/threads?uri={http_seed.THREAD_50}&limit=50",
        f"{API}/threads?uri={http_seed.THREAD_1000}&limit=50",
        f"{API}/counts?{counts}",
        f"/t/{SITE}?uri={http_seed.THREAD_50}",
        f"{API}/form-token",
    ]


def get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()


def post_comment(base: str, n: int) -> None:
    body = {"uri": "/burst", "author": "bench", "text": f"Comment {n} of the *burst*, hello"}
    request = urllib.request.Request(
        f"{base}{API}/comments",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 202:
            raise RuntimeError(f"POST answered {response.status}")


def workers(master: subprocess.Popen) -> str:
    """Each worker's RSS and USS, MiB."""
    return ", ".join(
        f"{servers.rss_mib(pid):.1f}/{servers.private_mib(pid):.1f}"
        for pid in servers.children(master.pid)
    )


def measure_talkback(
    tree: Path, env: dict, workdir: Path, rounds: int, posts: int, extra: tuple[str, ...] = ()
) -> dict:
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    with servers.gunicorn(
        servers.BIN / "gunicorn",
        servers.TALKBACK_APP,
        port=port,
        env=env,
        cwd=tree,
        probe=f"{API}/counts?uri=/",
        log_dir=workdir,
        extra=extra,
    ) as process:
        # Sync workers take turns at accept(): enough rounds that both serve every path.
        for _ in range(rounds):
            for path in reader_paths():
                get(base + path)
        reads = servers.worker_rss_mib(process), servers.worker_private_mib(process)
        reads_each = workers(process)
        for n in range(posts):
            post_comment(base, n)
        for _ in range(rounds):
            for path in reader_paths():
                get(base + path)
        burst = servers.worker_rss_mib(process), servers.worker_private_mib(process)
        return {"reads": reads, "burst": burst, "each": (reads_each, workers(process))}


def measure_floor(workdir: Path, rounds: int) -> float:
    port = servers.free_port()
    with servers.gunicorn(
        servers.BIN / "gunicorn",
        "hello:app",
        port=port,
        env={},
        cwd=servers.floor_app(workdir),
        probe="/",
        log_dir=workdir,
    ) as process:
        for _ in range(rounds * 5):
            get(f"http://127.0.0.1:{port}/")
        return servers.worker_rss_mib(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to measure alongside")
    parser.add_argument("--rounds", type=int, default=40, help="reader requests per path")
    parser.add_argument("--posts", type=int, default=300, help="comment POSTs in the burst")
    parser.add_argument("--preload", action="store_true", help="also under gunicorn --preload")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="talkback-bench-memory-"))
    queue = support.unique_name("bench_memory")
    trees = {"talkback": servers.ROOT}
    if args.baseline:
        trees = {"baseline": args.baseline.resolve(), **trees}
    runs = [(name, tree, ()) for name, tree in trees.items()]
    if args.preload:
        runs += [(f"{name} --preload", tree, ("--preload",)) for name, tree in trees.items()]
    with support.pg_database("talkback_bench_memory") as database_url:
        env = servers.talkback_env(database_url, support.REDIS_URL, queue, workdir)
        subprocess.run(
            [str(servers.BIN / "flask"), "db", "upgrade"],
            cwd=servers.ROOT,
            env={**servers.os.environ, **env, "FLASK_APP": "service"},
            check=True,
            capture_output=True,
        )
        db = http_seed.Database(database_url, queue, SITE)
        http_seed.seed_talkback(db.app, SITE)
        floor = measure_floor(workdir, args.rounds)
        print(f"Flask floor: worker RSS {floor:.1f} MiB", flush=True)
        for name, tree, extra in runs:
            figures = measure_talkback(tree, env, workdir, args.rounds, args.posts, extra)
            for phase in ("reads", "burst"):
                rss, uss = figures[phase]
                verdict = "held" if rss <= LIMIT_MIB else "NOT held"
                print(
                    f"{name} ({tree}) after the {phase}: worker RSS {rss:.1f} MiB, "
                    f"USS {uss:.1f} MiB, {rss - floor:+.1f} over the floor "
                    f"(≤ 60 MB: {verdict})",
                    flush=True,
                )
            print(f"  each worker RSS/USS: reads {figures['each'][0]}; burst {figures['each'][1]}")
        db.forget()


if __name__ == "__main__":
    main()
