"""Remark42 backup files (`remark42 backup`, or the automatic daily ones).

JSON lines: the first line is a header `{"version": 1, "users": [...], "posts": [...]}`,
every following line one comment: `id`, `pid` (parent id, empty for none), `text` (the
rendered HTML), `orig` (what the reader typed), `user` (`name`, `id`, ...; no e-mail),
`locator` (`site`, `url`), `time` (RFC 3339), `delete` (true when deleted) and the page
`title` where known. Remark42 has no review queue, so everything else is published.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from service.porting.records import (
    BadRecord,
    BodyFormat,
    ImportFailed,
    ImportStatus,
    RecordProblem,
    SourceComment,
    parse_timestamp,
)


def _field(record: dict, key: str, kind: type = str):
    value = record.get(key)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise BadRecord(f"{key} must be a {kind.__name__}")
    return value


def _comment(record: object, where: str) -> SourceComment:
    if not isinstance(record, dict):
        raise BadRecord("a comment line must be a JSON object")
    user, locator = _field(record, "user", dict), _field(record, "locator", dict)
    parent = _field(record, "pid")
    return SourceComment(
        source_id=_field(record, "id"),
        thread_url=_field(locator, "url"),
        thread_title=_field(record, "title"),
        parent_source_id=parent or None,
        author=_field(user, "name"),
        email="",
        website="",
        body=_field(record, "text"),
        body_format=BodyFormat.HTML,
        status=ImportStatus.DELETED if record.get("delete") is True else ImportStatus.APPROVED,
        created=parse_timestamp(_field(record, "time"), "time"),
        where=where,
    )


def read_remark42(source: IO[bytes]) -> Iterator[SourceComment | RecordProblem]:
    header = source.readline()
    try:
        head = json.loads(header)
    except (ValueError, UnicodeDecodeError):
        head = None
    if not isinstance(head, dict) or "version" not in head:
        raise ImportFailed('line 1: not a Remark42 backup (no {"version": ...} header line)')
    for number, line in enumerate(source, start=2):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError) as error:
            yield RecordProblem(f"line {number}", f"not valid JSON ({error})")
            continue
        where = f"line {number}"
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            where += f" (id {record['id']!r})"
        try:
            yield _comment(record, where)
        except BadRecord as error:
            yield RecordProblem(where, str(error))
