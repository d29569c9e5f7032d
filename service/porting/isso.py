"""Isso's SQLite database (isso/db/comments.py, threads.py), opened read-only.

`threads(id, uri, title)` and `comments(tid, id, parent, created, modified, mode,
remote_addr, text, author, email, website, ...)`: `created`/`modified` are Unix times,
`mode` 1 = published, 2 = awaiting moderation, 4 = deleted (kept because it has replies),
and `text` is the Markdown the reader typed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from service.porting.records import (
    BadRecord,
    BodyFormat,
    ImportFailed,
    ImportStatus,
    RecordProblem,
    SourceComment,
)

MODES = {1: ImportStatus.APPROVED, 2: ImportStatus.PENDING, 4: ImportStatus.DELETED}
QUERY = (
    "SELECT c.id, c.parent, c.created, c.modified, c.mode, c.text, c.author, c.email, "
    "c.website, t.uri, t.title FROM comments c JOIN threads t ON t.id = c.tid ORDER BY c.id"
)


def _moment(value: object, field: str) -> datetime:
    if not isinstance(value, int | float):
        raise BadRecord(f"{field} {value!r} is not a Unix time")
    return datetime.fromtimestamp(value, UTC)


def _comment(row: tuple) -> SourceComment:
    comment_id, parent, created, modified, mode, text, author, email, website, uri, title = row
    if mode not in MODES:
        raise BadRecord(f"mode {mode!r} is not 1, 2 or 4")
    return SourceComment(
        source_id=str(comment_id),
        thread_url=uri or "",
        thread_title=title or "",
        parent_source_id=str(parent) if parent is not None else None,
        author=author or "",
        email=email or "",
        website=website or "",
        body=text or "",
        body_format=BodyFormat.MARKDOWN,
        status=MODES[mode],
        created=_moment(created, "created"),
        edited=_moment(modified, "modified") if modified is not None else None,
        where=f"isso comment id {comment_id}",
    )


def count_isso(path: Path) -> int:
    with _connect(path) as connection:
        return _execute(connection, "SELECT count(*) FROM comments").fetchone()[0]


def _connect(path: Path) -> sqlite3.Connection:
    # Read-only through a URI, so a wrong path cannot create an empty database.
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def _execute(connection: sqlite3.Connection, sql: str) -> sqlite3.Cursor:
    try:
        return connection.execute(sql)
    except sqlite3.DatabaseError as error:
        raise ImportFailed(f"not an Isso database ({error})") from None


def read_isso(path: Path) -> Iterator[SourceComment | RecordProblem]:
    try:
        connection = _connect(path)
    except sqlite3.Error as error:
        raise ImportFailed(f"cannot open {path} ({error})") from None
    try:
        for row in _execute(connection, QUERY):
            try:
                yield _comment(row)
            except BadRecord as error:
                yield RecordProblem(f"isso comment id {row[0]}", str(error))
    finally:
        connection.close()
