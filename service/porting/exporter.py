"""A site's comments as plain data, thread by thread: what both export formats write.

The JSON export (schema in docs/porting.md) is written one thread per line with sorted keys,
so a large site streams out, and export -> import -> export gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from sqlalchemy import select

from service.accounts.models import Site
from service.comments.models import Comment, Status, Thread
from service.extensions import db
from service.moderation.sanitise import render_comment
from service.porting.models import ImportedComment
from service.timeutil import as_utc

FORMAT_NAME = "talkback-export"
SCHEMA_VERSION = 1
JSON_SOURCE = "json"


@dataclass(frozen=True)
class ExportedThread:
    key: str
    uri: str
    title: str
    canonical_url: str
    comments: list[dict]


def _stamp(moment) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def _comment(comment: Comment, exported_ids: dict[int, str]) -> dict:
    # `received` means "not processed yet"; an import never processes, so it says pending.
    status = Status.PENDING if comment.status == Status.RECEIVED else comment.status
    return {
        "id": exported_ids[comment.id],
        "parent": exported_ids.get(comment.parent_id) if comment.parent_id else None,
        "author": comment.author_name,
        "email": comment.email,
        "website": comment.website,
        "text": comment.text,
        "html": comment.html or render_comment(comment.text),
        "status": status,
        "created": _stamp(comment.created_at),
        "edited": _stamp(comment.edited_at),
    }


def export_threads(site: Site) -> Iterator[ExportedThread]:
    """Every page with comments, by URI; its comments (all states) in posting order.

    A comment that came from one of our JSON exports keeps the id it had there, so a
    re-export after a round trip names every comment as the first export did.
    """
    kept_ids = dict(
        db.session.execute(
            select(ImportedComment.comment_id, ImportedComment.source_id).where(
                ImportedComment.site_id == site.id, ImportedComment.source == JSON_SOURCE
            )
        ).all()
    )
    threads = db.session.execute(
        select(Thread.id, Thread.uri, Thread.title, Thread.canonical_url)
        .where(Thread.site_id == site.id)
        .order_by(Thread.uri)
    ).all()
    for thread_id, uri, title, canonical_url in threads:
        comments = db.session.scalars(
            select(Comment).where(Comment.thread_id == thread_id).order_by(Comment.id)
        ).all()
        if not comments:
            continue
        exported_ids = {c.id: kept_ids.get(c.id, str(c.id)) for c in comments}
        rows = [_comment(c, exported_ids) for c in comments]
        for comment in comments:  # keep memory flat on large sites
            db.session.expunge(comment)
        yield ExportedThread(f"thread-{thread_id}", uri, title, canonical_url, rows)


def absolute_link(site: Site, thread: ExportedThread) -> str:
    """The page's full URL, which Disqus-format readers key threads by."""
    if thread.canonical_url:
        return thread.canonical_url
    origins = site.allowed_origins or []
    return f"{origins[0].rstrip('/')}{thread.uri}" if origins else thread.uri


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def write_json(site: Site, out: IO[str]) -> int:
    """Write the versioned JSON export; returns how many comments it holds."""
    head = {"name": site.name, "slug": site.slug}
    out.write(f'{{"format": {_dumps(FORMAT_NAME)}, "site": {_dumps(head)}, "threads": [')
    count = 0
    for index, thread in enumerate(export_threads(site)):
        body = {"comments": thread.comments, "title": thread.title, "uri": thread.uri}
        out.write(("\n" if index == 0 else ",\n") + _dumps(body))
        count += len(thread.comments)
    out.write(f'\n], "version": {SCHEMA_VERSION}}}\n')
    return count
