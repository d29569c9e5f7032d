"""Driving a server with wrk (Debian's `wrk` package) and reading its report."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def ensure_wrk() -> str:
    """wrk from Debian; installed with apt-get when missing and we are allowed to."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: apt-get install wrk (Debian package)")
    return found


def _latency(text: str, percentile: str) -> float:
    match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    return float(match.group(1)) * UNITS_MS[match.group(2)] if match else float("nan")


def parse(text: str) -> Load:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    requests = re.search(r"(\d+) requests in", text)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    return Load(
        rps=float(rps.group(1)) if rps else 0.0,
        p50_ms=_latency(text, "50"),
        p99_ms=_latency(text, "99"),
        requests=int(requests.group(1)) if requests else 0,
        errors=errors,
    )


def _lua(source: str) -> Path:
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    with handle:
        handle.write(source)
    return Path(handle.name)


def cycle_script(paths: list[str]) -> Path:
    """GET each path in turn (e.g. the five pages of a thread)."""
    listed = ", ".join(json.dumps(path) for path in paths)
    return _lua(
        f"local paths = {{{listed}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )


def post_script(path: str, body: str) -> Path:
    """POST the same JSON body every time (Isso's counts)."""
    return _lua(
        f"wrk.method = 'POST'\nwrk.body = {json.dumps(body)}\n"
        f"wrk.headers['Content-Type'] = 'application/json'\nwrk.path = {json.dumps(path)}\n"
    )


def new_comment_script(path: str, fields: str) -> Path:
    """POST a new comment, each with its own words, after the JSON `fields` given."""
    prefix = f"{fields}, "
    return _lua(
        "local n = 0\n"
        "local words = {'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'}\n"
        "local headers = {['Content-Type'] = 'application/json'}\n"
        "request = function()\n"
        "  n = n + 1\n"
        '  local body = string.format([[{%s"author": "wrk", "text": "Comment %d of the burst: '
        '%s %s, number %d"}]], '
        f"[[{prefix}]], n, words[n % 6 + 1], words[(n * 7) % 6 + 1], n * 7919 % 10007)\n"
        f"  return wrk.format('POST', [[{path}]], headers, body)\n"
        "end\n"
    )


def run(
    wrk: str,
    url: str,
    *,
    duration: float,
    warmup: float,
    script: Path | None = None,
    headers: tuple[str, ...] = (),
    connections: int = 16,
) -> Load:
    """`wrk -t1 -c16`: a warm-up run that is thrown away, then the measured one."""
    # A long timeout: Isso's 1,000-comment thread takes seconds per request on a busy machine.
    base = [wrk, "-t1", f"-c{connections}", "--latency", "--timeout", "60s"]
    for header in headers:
        base += ["-H", header]
    if script:
        base += ["-s", str(script)]
    if warmup > 0:
        subprocess.run([*base, f"-d{warmup:g}s", url], capture_output=True, check=True)
    result = subprocess.run(
        [*base, f"-d{duration:g}s", url], capture_output=True, text=True, check=True
    )
    return parse(result.stdout)
