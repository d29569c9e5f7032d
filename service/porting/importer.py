"""The one import loop every format shares: validate, sanitise, insert in batches, link replies.

Imported comments keep the state they had in the source and are neither scored nor
announced (no mail, no webhook): they were moderated where they came from. Each comment's
source id is recorded in `imported_comments`, so running the same import again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update
from sqlalchemy.orm import aliased

from service.accounts.models import Site
from service.comments.models import Comment
from service.comments.services import get_or_create_thread
from service.extensions import db
from service.moderation.sanitise import render_comment, sanitise_html
from service.porting.models import ImportedComment
from service.porting.records import (
    BadRecord,
    BodyFormat,
    ImportStatus,
    RecordProblem,
    SourceComment,
    clean_line,
    clean_text,
    clean_website,
    thread_uri,
)

BATCH_SIZE = 500
SOURCE_ID_MAX = 255
MAX_ORPHANS_LISTED = 1000


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    imported: int = 0
    already_imported: int = 0
    pingbacks_skipped: int = 0
    threads: set[str] = field(default_factory=set)
    by_status: dict[str, int] = field(default_factory=dict)
    problems: list[RecordProblem] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        states = ", ".join(f"{n} {s}" for s, n in sorted(self.by_status.items())) or "none"
        return (
            f"{self.source}: {verb} {self.imported} comment(s) on {len(self.threads)} page(s) "
            f"({states}); {self.already_imported} already imported; "
            f"{self.pingbacks_skipped} pingback(s)/trackback(s) skipped; "
            f"{len(self.problems)} problem(s)"
        )


def published_html(record: SourceComment) -> str:
    """The body through the same sanitiser a new comment goes through."""
    if record.html is not None:
        return sanitise_html(record.html)
    if record.body_format == BodyFormat.HTML:
        return sanitise_html(record.body)
    return render_comment(record.body)


class _Importer:
    def __init__(self, site: Site, source: str, *, dry_run: bool, with_pingbacks: bool):
        self.site = site
        self.source = source
        self.dry_run = dry_run
        self.with_pingbacks = with_pingbacks
        self.report = ImportReport(source, dry_run)
        self.seen: set[str] = set(
            db.session.scalars(
                select(ImportedComment.source_id).where(
                    ImportedComment.site_id == site.id, ImportedComment.source == source
                )
            )
        )
        self.thread_ids: dict[str, int] = {}
        self.batch: list[tuple[dict, str, str | None]] = []

    def take(self, item: SourceComment | RecordProblem) -> None:
        if isinstance(item, RecordProblem):
            self.report.problems.append(item)
            return
        if item.is_pingback and not self.with_pingbacks:
            self.report.pingbacks_skipped += 1
            return
        source_id = item.source_id.strip()
        if not source_id or len(source_id) > SOURCE_ID_MAX:
            self.report.problems.append(RecordProblem(item.where, "the comment has no usable id"))
            return
        if source_id in self.seen:
            self.report.already_imported += 1
            return
        try:
            row = self._row(item)
        except BadRecord as error:
            self.report.problems.append(RecordProblem(item.where, str(error)))
            return
        self.seen.add(source_id)
        self.report.imported += 1
        self.report.by_status[item.status] = self.report.by_status.get(item.status, 0) + 1
        parent = (item.parent_source_id or "").strip() or None
        self.batch.append((row, source_id, parent))
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def _row(self, item: SourceComment) -> dict:
        if item.status not in ImportStatus.ALL:
            raise BadRecord(f"unknown status {item.status!r}")
        uri = thread_uri(item.thread_url)
        self.report.threads.add(uri)
        text = clean_text(item.body)
        return {
            "site_id": self.site.id,
            "thread_id": self._thread_id(uri, clean_line(item.thread_title, 300)),
            "author_name": clean_line(item.author, 100),
            "email": clean_line(item.email, 254).lower(),
            "website": clean_website(item.website),
            "text": text,
            "html": published_html(item) if text or item.html else "",
            "status": item.status,
            "spam_reasons": [],
            "signals": {"imported_from": self.source},
            "created_at": item.created,
            "updated_at": item.edited or item.created,
            "edited_at": item.edited,
        }

    def _thread_id(self, uri: str, title: str) -> int:
        if uri not in self.thread_ids:
            if self.dry_run:
                self.thread_ids[uri] = -len(self.thread_ids) - 1
            else:
                self.thread_ids[uri] = get_or_create_thread(self.site, uri, title).id
        return self.thread_ids[uri]

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch or self.dry_run:
            return
        comment_ids = db.session.scalars(
            insert(Comment).returning(Comment.id, sort_by_parameter_order=True),
            [row for row, _, _ in batch],
        ).all()
        db.session.execute(
            insert(ImportedComment),
            [
                {
                    "site_id": self.site.id,
                    "source": self.source,
                    "source_id": source_id,
                    "parent_source_id": parent,
                    "comment_id": comment_id,
                }
                for (_, source_id, parent), comment_id in zip(batch, comment_ids, strict=True)
            ],
        )
        db.session.commit()


def link_replies(site: Site, source: str) -> list[RecordProblem]:
    """Point every imported reply at its imported parent (also those of an earlier run).

    One UPDATE with a correlated subquery, so linking 50,000 replies holds none of them in
    memory; only the replies left without a parent are read back, to be reported.
    """
    child, parent = aliased(ImportedComment), aliased(ImportedComment)
    parent_comment = aliased(Comment)
    parent_id = (
        select(parent.comment_id)
        .join(
            child,
            (parent.site_id == child.site_id)
            & (parent.source == child.source)
            & (parent.source_id == child.parent_source_id),
        )
        .join(parent_comment, parent_comment.id == parent.comment_id)
        .where(child.comment_id == Comment.id, parent_comment.thread_id == Comment.thread_id)
        .scalar_subquery()
    )
    replies = select(ImportedComment.comment_id).where(
        ImportedComment.site_id == site.id,
        ImportedComment.source == source,
        ImportedComment.parent_source_id.is_not(None),
    )
    db.session.execute(
        update(Comment)
        .where(Comment.parent_id.is_(None), Comment.id.in_(replies))
        .values(parent_id=parent_id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    orphans = db.session.execute(
        select(ImportedComment.source_id, ImportedComment.parent_source_id)
        .join(Comment, Comment.id == ImportedComment.comment_id)
        .where(
            ImportedComment.site_id == site.id,
            ImportedComment.source == source,
            ImportedComment.parent_source_id.is_not(None),
            Comment.parent_id.is_(None),
        )
        .order_by(ImportedComment.id)
        .limit(MAX_ORPHANS_LISTED)
    ).all()
    return [
        RecordProblem(
            f"comment {source_id}",
            f"its parent {parent_source_id} is not on the same page in the import; "
            "shown at top level",
        )
        for source_id, parent_source_id in orphans
    ]


def run_import(
    site: Site,
    source: str,
    records: Iterable[SourceComment | RecordProblem],
    *,
    dry_run: bool = False,
    with_pingbacks: bool = False,
    progress: Callable[[], None] | None = None,
) -> ImportReport:
    """Import a stream of records into the site; raises ImportFailed for an unreadable file.

    Batches are committed as they fill, so an interrupted import keeps what it wrote and a
    re-run picks up where it stopped.
    """
    importer = _Importer(site, source, dry_run=dry_run, with_pingbacks=with_pingbacks)
    for item in records:
        importer.take(item)
        if progress is not None:
            progress()
    importer.flush()
    if not dry_run:
        importer.report.problems.extend(link_replies(site, source))
    return importer.report
