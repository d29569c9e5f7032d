"""Fault figures: what a 300-comment burst becomes when the worker, broker or database fails.

Run: `.venv/bin/python bench/bench_faults.py [--brokers redis rabbitmq] [--write-docs]`
(about 4 minutes per broker; needs PostgreSQL on 127.0.0.1:5432, `redis-server`, and
RabbitMQ on 127.0.0.1:5672 for the RabbitMQ rows).

Per broker, one stack (tests/reliability/harness.py: throw-away database, private Redis
or the RabbitMQ behind a cuttable proxy, supervised prefork worker and beat, the Flask app)
takes a burst with no fault first, the baseline, then one burst per fault. Printed per
row: sent, accepted (202), refused (503), processed, lost, duplicated (more than one
`received ->` event), the seconds from the end of the fault until no accepted comment was
left `received`, and that drain time as a ratio of the baseline's (measured from the same
point of its burst, in the same run, on the same machine). `--write-docs` replaces the
figures block in docs/reliability.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reliability import harness  # noqa: E402

FAULTS = {
    "redis": ("none", "worker_killed", "broker_down", "database_down"),
    "rabbitmq": ("none", "worker_killed", "broker_down"),
}
HEADER = (
    "| broker | fault | sent | accepted | 503 | processed | lost | duplicated | "
    "drain after fault (s) | drain / baseline |"
)


def table(results: list[harness.Figures]) -> list[str]:
    lines = [HEADER, "|" + "---|" * 10]
    baselines = {r.broker: r.drain_seconds for r in results if r.fault == "none"}
    for r in results:
        base = baselines.get(r.broker)
        ratio = f"{r.drain_seconds / base:.1f}×" if base and r.drain_seconds is not None else "—"
        lines.append(
            f"| {r.broker} | {r.fault} | {r.sent} | {r.accepted} | {r.refused_503} | "
            f"{r.processed} | {r.lost} | {r.duplicated} | {r.drain_seconds} | {ratio} |"
        )
    return lines


def write_docs(lines: list[str]) -> None:
    path = ROOT / "docs" / "reliability.md"
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    doc = path.read_text()
    before, rest = doc.split(start, 1)
    after = rest.split(end, 1)[1]
    stamp = f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, {platform.python_version()}."
    path.write_text(before + start + "\n" + "\n".join([stamp, "", *lines]) + "\n" + end + after)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", nargs="+", default=list(FAULTS), choices=list(FAULTS))
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    results = []
    started = time.monotonic()
    for broker in args.brokers:
        directory = Path(tempfile.mkdtemp(prefix=f"bench_faults_{broker}_"))
        results += harness.run(broker, FAULTS[broker], directory)
    lines = table(results)
    print("\n".join(lines))
    print(f"\n{time.monotonic() - started:.0f} s in all")
    if args.write_docs:
        write_docs(lines)
    bad = [r for r in results if r.lost or r.duplicated or r.server_errors]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
