"""bench_http.py's report: the table with ratios, the acceptance checks, docs and the plot."""

from __future__ import annotations

import math
import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

from http_load import Load

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PLOT = DOCS / "performance.png"
# (key, what it is, how many requests make one unit: the whole thread is 5 pages)
ROWS = [
    ("hello", "hello (the Flask floor), at the start", 1),
    ("hello_again", "hello (the Flask floor), after Talkback's reads", 1),
    ("thread50", "thread read, 50 comments (the widget's first request)", 1),
    ("revalidate", "the same, revalidated (`If-None-Match`: 304)", 1),
    ("first1000", "1,000-comment thread, first view (Isso: all 1,000; Talkback: first 50)", 1),
    ("whole1000", "whole 1,000-comment thread, threads/s (Talkback: 5 pages of 200)", 5),
    ("nojs50", "no-JS thread page, 50 comments", 1),
    ("counts10", "counts for 10 posts", 1),
    ("post_web", "comment POST, no worker running (the web processes alone)", 1),
    ("post", "comment POST, 1 worker process running", 1),
    ("post_2workers", "comment POST, 2 worker processes running", 1),
]
SERVERS = [("floor", "Flask floor"), ("isso", "Isso 0.14"), ("talkback", "Talkback")]
MB = 1_000_000 / 2**20  # MiB in one MB


def _rate(load: Load | None, per: int) -> float | None:
    return load.rps / per if load and load.rps else None


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def _cell(load: Load | None, per: int) -> str:
    if not load:
        return "–"
    if not load.requests:
        return "none completed in the run"
    errors = f", **{load.errors} errors**" if load.errors else ""
    return f"{load.rps / per:,.1f}/s · p50 {load.p50_ms:.1f} · p99 {load.p99_ms:.1f} ms{errors}"


class Report:
    def __init__(self, results: dict, facts: dict, args):
        self.results = results
        self.facts = facts
        self.args = args
        # The mean of the floor's two runs (start, and right after Talkback's reads).
        floors = [_rate(results.get(row, {}).get("floor"), 1) for row in ("hello", "hello_again")]
        floors = [rate for rate in floors if rate]
        self.floor = sum(floors) / len(floors) if floors else None

    def rate(self, row: str, server: str) -> float | None:
        per = next(per for key, _, per in ROWS if key == row)
        return _rate(self.results.get(row, {}).get(server), per)

    def table(self) -> str:
        lines = [
            "| workload | Flask floor | Isso 0.14 | Talkback (page cache) | Talkback (cold) "
            "| cached ÷ floor | cached ÷ Isso | cold ÷ Isso |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for key, label, per in ROWS:
            found = self.results.get(key, {})
            cached = _rate(found.get("talkback"), per)
            cold = _rate(found.get("talkback_cold"), per)
            isso = _rate(found.get("isso"), per)
            bound = ""
            if found.get("isso") and not found["isso"].requests:
                # Not one answer in the run: Isso's rate is below one per run's duration.
                isso, bound = 1 / self.args.duration, "> "
            lines.append(
                f"| {label} | {_cell(found.get('floor'), per)} | {_cell(found.get('isso'), per)} "
                f"| {_cell(found.get('talkback'), per)} | {_cell(found.get('talkback_cold'), per)} "
                f"| {_ratio(cached, self.floor)} | {bound}{_ratio(cached, isso)} "
                f"| {bound}{_ratio(cold, isso)} |"
            )
        return "\n".join(lines)

    def facts_table(self) -> str:
        f = self.facts
        rows = [
            ("the floor the ratios use: mean of its two runs (req/s)", self.floor),
            (
                "worker: comments sanitised, scored and routed per second, 1 process",
                f.get("worker_1_per_s"),
            ),
            (
                "worker: comments per CPU-second of one process (its capacity on a free core)",
                f.get("worker_1_per_cpu_s"),
            ),
            ("worker: the same, 2 processes", f.get("worker_2_per_s")),
            (
                "POST burst, 1 worker: still `received` 5 s after the burst",
                f.get("post_received_after_5s"),
            ),
            ("POST burst, 1 worker: all processed after (s)", f.get("post_drained_after_s")),
            (
                "POST burst, 2 workers: still `received` 5 s after the burst",
                f.get("post_2workers_received_after_5s"),
            ),
            (
                "POST burst, 2 workers: all processed after (s)",
                f.get("post_2workers_drained_after_s"),
            ),
            ("RSS per web worker, Flask floor (MiB)", f.get("rss_floor")),
            ("RSS per web worker, Isso (MiB)", f.get("rss_isso")),
            ("RSS per web worker, Talkback after the reads (MiB)", f.get("rss_talkback")),
            ("RSS per web worker, Talkback after the POST burst (MiB)", f.get("rss_post_web")),
            ("private memory (USS) per web worker, Talkback (MiB)", f.get("uss_talkback")),
            ("RSS per web worker, Talkback under `--preload` (MiB)", f.get("rss_talkback_preload")),
            (
                "private memory (USS) per web worker, Talkback under `--preload` (MiB)",
                f.get("uss_talkback_preload"),
            ),
            ("RSS of one worker process, Talkback (MiB)", f.get("rss_worker_backlog_1")),
            ("widget JS + CSS, gzip (B): Isso", f.get("widget_gzip_isso")),
            ("widget JS + CSS, gzip (B): Talkback", f.get("widget_gzip_talkback")),
        ]
        lines = ["| measure | value |", "|---|---|"]
        for label, value in rows:
            shown = (
                "–" if value is None else (f"{value:,.1f}" if isinstance(value, float) else value)
            )
            lines.append(f"| {label} | {shown} |")
        return "\n".join(lines)

    def acceptance(self) -> list[tuple[str, bool | None]]:
        def at_least(a, b, factor):
            return None if not a or not b else a >= factor * b

        f, r = self.facts, self.rate
        first = self.results.get("first1000", {}).get("talkback")
        web_rss = max(f.get("rss_talkback") or 0, f.get("rss_post_web") or 0) or None
        return [
            (
                "cached 50-comment read ≥ 80 % of the floor",
                at_least(r("thread50", "talkback"), self.floor, 0.8),
            ),
            (
                "cached 50-comment read ≥ 20× Isso",
                at_least(r("thread50", "talkback"), r("thread50", "isso"), 20),
            ),
            (
                "304 revalidation ≥ 90 % of the floor",
                at_least(r("revalidate", "talkback"), self.floor, 0.9),
            ),
            (
                "1,000-comment thread, first page p99 < 50 ms",
                None if not first else first.p99_ms < 50,
            ),
            (
                "counts for 10 posts ≥ 2× Isso",
                at_least(r("counts10", "talkback"), r("counts10", "isso"), 2),
            ),
            ("comment POST ≥ 3× Isso", at_least(r("post", "talkback"), r("post", "isso"), 3)),
            (
                "nothing `received` 5 s after the POST burst (1 worker)",
                None
                if f.get("post_received_after_5s") is None
                else f["post_received_after_5s"] == 0,
            ),
            (
                "one worker process ≥ 200 comments/s (wall clock, on the shared machine)",
                None if not f.get("worker_1_per_s") else f["worker_1_per_s"] >= 200,
            ),
            (
                "one worker process ≥ 200 comments per CPU-second it used",
                None if not f.get("worker_1_per_cpu_s") else f["worker_1_per_cpu_s"] >= 200,
            ),
            ("web worker RSS ≤ 60 MB", None if not web_rss else web_rss <= 60 * MB),
        ]

    def text(self) -> str:
        checks = "\n".join(
            f"- {'held' if ok else 'NOT held' if ok is False else 'not measured'}: {label}"
            for label, ok in self.acceptance()
        )
        return f"{self.table()}\n\n{self.facts_table()}\n\nAcceptance (this run):\n{checks}\n"

    def header(self) -> str:
        cpus = os.cpu_count()
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"Measured {when} on {cpus} × {model}, Python {platform.python_version()}; "
            f"`gunicorn -w 2 -k sync`, `wrk -t1 -c16`, {self.args.duration:g} s after a "
            f"{self.args.warmup:g} s warm-up; PostgreSQL and Redis on loopback; rate limits off. "
            "Cells: rate · p50 · p99."
        )

    def write_docs(self) -> None:
        self.plot()
        block = f"{self.header()}\n\n{self.text()}\n![req/s per workload](performance.png)\n"
        _replace_block(DOCS / "performance.md", "bench_http", block)
        f = self.facts
        scale = (
            f"{self.header()}\n\n"
            "| one machine, 2 cores | 1 worker process | 2 worker processes |\n|---|---|---|\n"
            f"| backlog of {self.args.backlog:,} comments: comments/s | {f.get('worker_1_per_s')} "
            f"| {f.get('worker_2_per_s')} |\n"
            f"| the same per CPU-second of the worker processes | "
            f"{f.get('worker_1_per_cpu_s')} | {f.get('worker_2_per_cpu_s')} |\n"
            f"| POST burst (2 web processes): req/s | {_fmt(self.rate('post', 'talkback'))} "
            f"| {_fmt(self.rate('post_2workers', 'talkback'))} |\n"
            f"| still `received` 5 s after the burst | {f.get('post_received_after_5s')} "
            f"| {f.get('post_2workers_received_after_5s')} |\n"
            f"| all processed, seconds after the burst | {f.get('post_drained_after_s')} "
            f"| {f.get('post_2workers_drained_after_s')} |\n"
        )
        _replace_block(DOCS / "scale-out.md", "scale_out", scale)

    def plot(self) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        keys = [key for key, _, _ in ROWS if not key.startswith("hello")]
        series = [
            ("isso", "Isso 0.14"),
            ("talkback_cold", "Talkback, cold"),
            ("talkback", "Talkback, page cache"),
        ]
        figure, axes = plt.subplots(figsize=(13, 5))
        width = 0.27
        for n, (server, label) in enumerate(series):
            values = [self.rate(key, server) or 0 for key in keys]
            positions = [i + (n - 1) * width for i in range(len(keys))]
            axes.bar(positions, values, width, label=label)
        if self.floor:
            axes.axhline(
                self.floor,
                color="black",
                linestyle="--",
                label="Flask hello floor (mean of its two runs)",
            )
        axes.set_yscale("log")
        axes.set_xticks(range(len(keys)), keys, rotation=20)
        axes.set_ylabel("requests (threads) per second, log scale")
        axes.set_title("Talkback vs Isso vs the Flask floor, one run (bench/bench_http.py)")
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
        figure.tight_layout()
        figure.savefig(PLOT, dpi=110)
        plt.close(figure)


def _fmt(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.1f}"


def _replace_block(path: Path, name: str, block: str) -> None:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else f"{start}\n{end}\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    path.write_text(pattern.sub(lambda _: f"{start}\n{block}{end}", text), encoding="utf-8")
