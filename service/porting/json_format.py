"""Reading our own JSON export (schema in docs/porting.md); writing it lives in exporter.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from service.porting.exporter import FORMAT_NAME, SCHEMA_VERSION
from service.porting.records import (
    BadRecord,
    BodyFormat,
    ImportFailed,
    RecordProblem,
    SourceComment,
    parse_timestamp,
)


def _string(record: dict, key: str, *, required: bool = False) -> str:
    value = record.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise BadRecord(f"{key} must be a {'non-empty ' if required else ''}string")
    return value


def _comment(thread: dict, record: object, where: str) -> SourceComment:
    if not isinstance(record, dict):
        raise BadRecord("a comment must be an object")
    parent = record.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise BadRecord("parent must be a string or null")
    edited = record.get("edited")
    html = record.get("html")
    return SourceComment(
        source_id=_string(record, "id", required=True),
        thread_url=_string(thread, "uri", required=True),
        thread_title=_string(thread, "title"),
        parent_source_id=parent,
        author=_string(record, "author"),
        email=_string(record, "email"),
        website=_string(record, "website"),
        body=_string(record, "text"),
        body_format=BodyFormat.MARKDOWN,
        html=html if isinstance(html, str) else None,
        status=_string(record, "status", required=True),
        created=parse_timestamp(_string(record, "created", required=True), "created"),
        edited=parse_timestamp(edited, "edited") if edited is not None else None,
        where=where,
    )


def read_json(source: IO[bytes]) -> Iterator[SourceComment | RecordProblem]:
    try:
        document = json.load(source)
    except (UnicodeDecodeError, RecursionError) as error:
        raise ImportFailed(f"not a Talkback JSON export: {error}") from None
    except json.JSONDecodeError as error:
        raise ImportFailed(
            f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise ImportFailed(f'not a Talkback JSON export (no "format": "{FORMAT_NAME}")')
    if document.get("version") != SCHEMA_VERSION:
        raise ImportFailed(
            f"export version {document.get('version')!r} is not one this server reads "
            f"(it reads version {SCHEMA_VERSION})"
        )
    threads = document.get("threads")
    if not isinstance(threads, list):
        raise ImportFailed('"threads" must be a list')
    for t_index, thread in enumerate(threads):
        comments = thread.get("comments") if isinstance(thread, dict) else None
        if not isinstance(comments, list):
            yield RecordProblem(f"threads[{t_index}]", "a thread needs a comments list")
            continue
        for c_index, record in enumerate(comments):
            where = f"threads[{t_index}].comments[{c_index}]"
            if isinstance(record, dict) and isinstance(record.get("id"), str):
                where += f" (id {record['id']!r})"
            try:
                yield _comment(thread, record, where)
            except BadRecord as error:
                yield RecordProblem(where, str(error))
