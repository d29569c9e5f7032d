"""The import formats and export writers by name, for the CLI and the dashboard task alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from service.porting.disqus import read_disqus, write_disqus
from service.porting.exporter import write_json
from service.porting.isso import count_isso, read_isso
from service.porting.json_format import read_json
from service.porting.records import RecordProblem, SourceComment
from service.porting.remark42 import read_remark42
from service.porting.wordpress import read_wordpress

Records = Iterator[SourceComment | RecordProblem]

STREAM_READERS: dict[str, Callable[[IO[bytes]], Records]] = {
    "disqus": read_disqus,
    "wordpress": read_wordpress,
    "remark42": read_remark42,
    "json": read_json,
}
DESCRIPTIONS = {
    "disqus": "Import a Disqus export (XML).",
    "wordpress": "Import a WordPress export (WXR XML).",
    "isso": "Import an Isso SQLite database.",
    "remark42": "Import a Remark42 backup file.",
    "json": "Import a Talkback JSON export.",
}
WRITERS: dict[str, Callable] = {"json": write_json, "disqus": write_disqus}


def counts_bytes(name: str) -> bool:
    return name in STREAM_READERS


def work_size(name: str, path: Path) -> int:
    """What the progress bar counts to: bytes for files read as a stream, else comments."""
    return path.stat().st_size if counts_bytes(name) else count_isso(path)


class _CountingReader:
    """A binary file that reports how many bytes were read, for the progress bar."""

    def __init__(self, raw: IO[bytes], advance: Callable[[int], object]):
        self.raw = raw
        self.advance = advance

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.advance(len(data))
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.raw.readline(size)
        self.advance(len(data))
        return data

    def __iter__(self):
        return iter(self.readline, b"")


@contextmanager
def open_records(name: str, path: Path, advance: Callable[[int], object]) -> Iterator[Records]:
    if name not in STREAM_READERS:
        yield read_isso(path)
        return
    with path.open("rb") as raw:
        yield STREAM_READERS[name](_CountingReader(raw, advance))
