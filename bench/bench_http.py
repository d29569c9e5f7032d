"""Talkback against a Flask "hello" floor and Isso, in ONE run, same gunicorn settings.

Run: `make bench` (or `.venv/bin/python bench/bench_http.py [--duration 15] [--warmup 3]`).
Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (a throw-away database and
a queue of its own are made and removed), and Debian's `wrk` (installed with apt-get when
missing). Isso is installed from PyPI into a virtualenv of its own (instance/bench/).

Every server runs as `gunicorn -w 2 -k sync` on loopback and is driven by `wrk -t1 -c16`
for --duration seconds after a --warmup run that is thrown away; the 1,105 seeded
comments are the same for Isso (through its API) and Talkback (rows). Talkback runs twice
for the read rows: with its page cache (production: Redis) and without it ("cold"). Then
a POST burst with one worker process running, the worker alone on a backlog (comments per
second), and the same with two worker processes (docs/scale-out.md). It prints req/s,
p50/p99 and ratios against the floor and Isso from this run, and with --write-docs (the
default under `make bench`) rewrites the figures in docs/performance.md and
docs/scale-out.md and the plot docs/performance.png. The machine may be shared and
noisy: read the ratios, which compare figures taken minutes apart in the same run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_load  # noqa: E402
import http_report  # noqa: E402
import http_seed  # noqa: E402
import http_servers as servers  # noqa: E402

from service.widget.assets import bundle  # noqa: E402
from tests import support  # noqa: E402

SITE = "bench"
API = f"/api/v1/sites/{SITE}"


class Bench:
    def __init__(self, args: argparse.Namespace, workdir: Path, database_url: str):
        self.args = args
        self.wrk = http_load.ensure_wrk()
        self.workdir = workdir
        self.database_url = database_url
        self.results: dict[str, dict[str, http_load.Load]] = {}
        self.facts: dict[str, float | int | str | None] = {}
        self.queue = support.unique_name("bench_http")
        self.env = servers.talkback_env(database_url, support.REDIS_URL, self.queue, workdir)

    def load(self, row: str, server: str, url: str, **options) -> http_load.Load:
        measured = http_load.run(
            self.wrk, url, duration=self.args.duration, warmup=self.args.warmup, **options
        )
        self.results.setdefault(row, {})[server] = measured
        print(
            f"  {row:<12} {server:<16} {measured.rps:>9.1f} req/s  p50 {measured.p50_ms:6.2f} ms"
            f"  p99 {measured.p99_ms:7.2f} ms  errors {measured.errors}",
            flush=True,
        )
        return measured

    @contextmanager
    def talkback(self, env: dict | None = None, extra: tuple[str, ...] = ()):
        """Talkback's web processes on a port of their own: (gunicorn master, base URL)."""
        port = servers.free_port()
        with servers.gunicorn(
            servers.BIN / "gunicorn",
            servers.TALKBACK_APP,
            port=port,
            env=env or self.env,
            cwd=servers.ROOT,
            probe=f"{API}/counts?uri=/",
            log_dir=self.workdir,
            extra=extra,
        ) as process:
            yield process, f"http://127.0.0.1:{port}"

    # --- the three servers -------------------------------------------------------------

    def floor(self, row: str = "hello") -> None:
        port = servers.free_port()
        folder = servers.floor_app(self.workdir)
        with servers.gunicorn(
            servers.BIN / "gunicorn",
            "hello:app",
            port=port,
            env={},
            cwd=folder,
            probe="/",
            log_dir=self.workdir,
        ) as process:
            self.load(row, "floor", f"http://127.0.0.1:{port}/")
            self.facts["rss_floor"] = servers.worker_rss_mib(process)

    def isso(self) -> None:
        venv = servers.isso_virtualenv(servers.ROOT / "instance" / "bench")
        self.facts["widget_gzip_isso"] = servers.isso_widget_gzip(venv)
        port = servers.free_port()
        folder = self.workdir / "isso"
        folder.mkdir()
        env = {"ISSO_SETTINGS": str(servers.isso_settings(folder, port))}
        with servers.gunicorn(
            venv / "bin" / "gunicorn",
            "isso.run",
            port=port,
            env=env,
            cwd=folder,
            probe="/info",
            log_dir=self.workdir,
        ) as process:
            http_seed.seed_isso(port)
            base = f"http://127.0.0.1:{port}"
            self.load("thread50", "isso", f"{base}/?uri={http_seed.THREAD_50}")
            counts = http_load.post_script("/count", json.dumps(http_seed.LISTING))
            self.load("counts10", "isso", f"{base}/count", script=counts)
            burst = http_load.new_comment_script("/new?uri=/burst", '"title": "Burst"')
            self.load("post", "isso", f"{base}/new", script=burst)
            self.facts["rss_isso"] = servers.worker_rss_mib(process)
            # Last: a sync worker keeps rendering a request whose client gave up, so a slow
            # row would delay the rows after it.
            whole = self.load("first1000", "isso", f"{base}/?uri={http_seed.THREAD_1000}")
            self.results["whole1000"] = {"isso": whole}  # one request is the whole thread

    def talkback_reads(self, server: str, cache: str) -> None:
        with self.talkback({**self.env, "TALKBACK_PAGE_CACHE": cache}) as (process, base):
            thread50 = f"{base}{API}/threads?uri={http_seed.THREAD_50}&limit=50"
            self.load("thread50", server, thread50)
            with urllib.request.urlopen(thread50) as response:
                etag = response.headers["ETag"]
            self.load("revalidate", server, thread50, headers=(f"If-None-Match: {etag}",))
            first = f"{base}{API}/threads?uri={http_seed.THREAD_1000}&limit=50"
            self.load("first1000", server, first)
            pages = self.pages_of(base, http_seed.THREAD_1000, 200)
            self.load("whole1000", server, base + pages[0], script=http_load.cycle_script(pages))
            self.load("nojs50", server, f"{base}/t/{SITE}?uri={http_seed.THREAD_50}")
            counts = "&".join(f"uri={uri}" for uri in http_seed.LISTING)
            self.load("counts10", server, f"{base}{API}/counts?{counts}")
            self.facts[f"rss_{server}"] = servers.worker_rss_mib(process)
            self.facts[f"uss_{server}"] = servers.worker_private_mib(process)

    def talkback_preloaded_memory(self) -> None:
        """The same web workers forked from a preloaded master: what each one holds alone."""
        with self.talkback(extra=("--preload",)) as (process, base):
            for _ in range(50):
                for path in (f"{API}/threads?uri={http_seed.THREAD_50}", f"/t/{SITE}?uri=/t50"):
                    urllib.request.urlopen(base + path).read()
            self.facts["rss_talkback_preload"] = servers.worker_rss_mib(process)
            self.facts["uss_talkback_preload"] = servers.worker_private_mib(process)

    @staticmethod
    def pages_of(base: str, uri: str, limit: int) -> list[str]:
        pages, after = [], 0
        while True:
            path = f"{API}/threads?uri={uri}&limit={limit}" + (f"&after={after}" if after else "")
            pages.append(path)
            with urllib.request.urlopen(base + path) as response:
                after = json.load(response)["next_after"]
            if not after:
                return pages

    # --- writes: the POST burst and the worker -------------------------------------------

    def post_web_alone(self) -> None:
        """POSTs with no worker running: what the web processes alone accept per second."""
        with self.talkback() as (process, base):
            path = f"{API}/comments"
            script = http_load.new_comment_script(path, '"uri": "/burst-web"')
            self.load("post_web", "talkback", f"{base}{path}", script=script)
        self.facts["post_web_discarded"] = self.db.discard_received()
        self.db.forget()  # their messages too: nothing is left for the next rows

    def post_burst(self, workers: int, row: str) -> None:
        """POSTs at full speed with `workers` worker processes; then how long they lag."""
        started = [self.start_worker(f"{row}-{n}") for n in range(workers)]
        try:
            with self.talkback() as (process, base):
                path = f"{API}/comments"
                script = http_load.new_comment_script(path, '"uri": "/burst"')
                self.load(row, "talkback", f"{base}{path}", script=script)
                burst_end = time.monotonic()
                self.facts[f"rss_{row}_web"] = servers.worker_rss_mib(process)
            time.sleep(max(0.0, burst_end + 5 - time.monotonic()))
            self.facts[f"{row}_received_after_5s"] = self.db.received()
            drained = self.db.wait_until_processed(timeout=600)
            self.facts[f"{row}_drained_after_s"] = round(time.monotonic() - burst_end, 1)
            self.facts[f"{row}_drained"] = drained
            self.facts[f"rss_worker_{row}"] = max(servers.rss_mib(w.pid) for w in started)
        finally:
            for worker in started:
                support.stop_process(worker)

    def worker_throughput(self, workers: int) -> None:
        """A backlog of --backlog waiting comments, announced at once: comments/s."""
        backlog = self.args.backlog
        started = [self.start_worker(f"backlog-{workers}-{n}") for n in range(workers)]
        try:
            ids = self.db.backlog(backlog, f"/backlog-{workers}")
            cpu_before = sum(servers.cpu_seconds(w.pid) for w in started)
            began = time.monotonic()
            self.db.announce(ids)
            self.db.wait_until_processed(timeout=900)
            elapsed = time.monotonic() - began
            cpu = sum(servers.cpu_seconds(w.pid) for w in started) - cpu_before
            self.facts[f"worker_{workers}_per_s"] = round(backlog / elapsed, 1)
            # What the processes would do with a core each: the machine may be shared.
            self.facts[f"worker_{workers}_per_cpu_s"] = round(backlog / cpu, 1)
            self.facts[f"rss_worker_backlog_{workers}"] = max(
                servers.rss_mib(w.pid) for w in started
            )
            print(
                f"  worker x{workers}: {backlog} comments in {elapsed:.1f} s, {cpu:.1f} CPU-s",
                flush=True,
            )
        finally:
            for worker in started:
                support.stop_process(worker)

    def start_worker(self, name: str):
        worker = support.start_worker(self.env, log_path=self.workdir / f"worker-{name}.log")
        # Warm: the model loads on the first comment; do not charge that to the figures.
        self.db.announce(self.db.backlog(20, f"/warm-{name}"))
        self.db.wait_until_processed(timeout=120)
        return worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--backlog", type=int, default=3000, help="comments per worker run")
    parser.add_argument("--no-docs", dest="write_docs", action="store_false")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="talkback-bench-http-"))
    with support.pg_database("talkback_bench_http") as database_url:
        bench = Bench(args, workdir, database_url)
        subprocess.run(
            [str(servers.BIN / "flask"), "db", "upgrade"],
            cwd=servers.ROOT,
            env={**servers.os.environ, **bench.env, "FLASK_APP": "service"},
            check=True,
            capture_output=True,
        )
        bench.db = http_seed.Database(database_url, bench.queue, SITE)
        http_seed.seed_talkback(bench.db.app, SITE)
        print(f"seeded {http_seed.total(http_seed.seed())} comments; measuring", flush=True)
        bench.floor()
        bench.isso()
        bench.talkback_reads("talkback", support.REDIS_URL)
        # The floor again, right after Talkback's reads: the machine drifts within a run.
        bench.floor("hello_again")
        bench.talkback_reads("talkback_cold", "none")
        bench.talkback_preloaded_memory()
        bench.post_web_alone()
        bench.post_burst(1, "post")
        bench.worker_throughput(1)
        bench.post_burst(2, "post_2workers")
        bench.worker_throughput(2)
        bench.db.forget()
    bench.facts["widget_gzip_talkback"] = bundle().gzip_total()
    report = http_report.Report(bench.results, bench.facts, args)
    print(report.text())
    if args.write_docs:
        report.write_docs()


if __name__ == "__main__":
    main()
