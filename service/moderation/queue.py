"""The moderation queue: one keyset-paged query for the dashboard and the moderator API.

Paged by (spam_score, id), highest score first, so page 2,000 costs what page 1 costs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import joinedload

from service.accounts.models import Site
from service.comments.models import Comment, Status
from service.extensions import db
from service.http.errors import ValidationError
from service.http.validation import id_or_none, parse_score

PAGE_SIZE = 50
COUNT_CAP = 10_000
QUEUE_STATUSES = (Status.PENDING, Status.SPAM, Status.APPROVED, Status.REJECTED)
# Bulk actions walk the matching comments in batches of this many ids, up to BULK_MAX.
BULK_MAX = 5_000
BULK_BATCH = 500


@dataclass(frozen=True)
class QueueFilters:
    site_ids: frozenset[int]
    status: str = Status.PENDING
    min_score: float | None = None
    max_score: float | None = None
    text: str = ""
    author: str = ""
    email: str = ""
    ip: str = ""


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the last (spam_score, id); score None means the unscored tail."""

    score: float | None
    id: int

    def encode(self) -> str:
        return f"{'n' if self.score is None else repr(self.score)}_{self.id}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        if not raw:
            return None
        score_part, _, id_part = raw.partition("_")
        try:
            score = None if score_part == "n" else float(score_part)
        except ValueError:
            score = math.nan
        comment_id = id_or_none(id_part)
        if comment_id is None or (score is not None and not math.isfinite(score)):
            raise ValidationError("Bad page marker.", code="invalid_cursor", field="after")
        return cls(score, comment_id)


# After every comment: unscored comments come last, and ids start at 1.
PAST_THE_END = Cursor(None, 0)


@dataclass
class QueuePage:
    comments: list[Comment]
    next_cursor: Cursor | None
    total: int | None
    total_capped: bool = False


def parse_queue_filters(args: Mapping[str, str], sites: list[Site]) -> QueueFilters:
    """Turn query-string filters into QueueFilters, restricted to `sites` (never widened)."""
    allowed = {site.slug: site.id for site in sites}
    slug = args.get("site", "")
    if slug:
        if slug not in allowed:
            raise ValidationError(
                "You do not moderate that site.", code="unknown_site", field="site"
            )
        site_ids = frozenset({allowed[slug]})
    else:
        site_ids = frozenset(allowed.values())
    status = args.get("status") or Status.PENDING
    if status not in QUEUE_STATUSES:
        raise ValidationError("Unknown status.", code="invalid_status", field="status")
    return QueueFilters(
        site_ids=site_ids,
        status=status,
        min_score=parse_score(args.get("min_score"), "min_score"),
        max_score=parse_score(args.get("max_score"), "max_score"),
        text=args.get("q", "").strip()[:200],
        author=args.get("author", "").strip()[:100],
        email=args.get("email", "").strip()[:254],
        ip=args.get("ip", "").strip()[:64],
    )


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(value: str) -> str:
    return f"%{_escape_like(value)}%"


def _contains(column, value: str):
    """Case-insensitive substring match. SQLite's LIKE already ignores ASCII case (and its
    lower() knows nothing else), so skip the lower() calls ILIKE would add on every row."""
    pattern = _like(value)
    if db.session.get_bind().dialect.name == "sqlite":
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def _filtered(statement: Select, filters: QueueFilters) -> Select:
    conditions = [Comment.site_id.in_(filters.site_ids), Comment.status == filters.status]
    if filters.min_score is not None:
        conditions.append(Comment.spam_score >= filters.min_score)
    if filters.max_score is not None:
        conditions.append(Comment.spam_score <= filters.max_score)
    if filters.text:
        conditions.append(_contains(Comment.text, filters.text))
    if filters.author:
        conditions.append(_contains(Comment.author_name, filters.author))
    if filters.email:
        conditions.append(_contains(Comment.email, filters.email))
    if filters.ip:
        # Stored IPs are already truncated, so a prefix is the natural search.
        conditions.append(Comment.ip.like(_escape_like(filters.ip) + "%", escape="\\"))
    return statement.where(*conditions)


def _scored_part(filters: QueueFilters, after: Cursor | None, limit: int, columns) -> list:
    """Scored comments, highest first. `spam_score DESC, id DESC` walks the
    (site_id, status, spam_score, id) index backwards on both SQLite and PostgreSQL."""
    statement = _filtered(select(*columns), filters).where(Comment.spam_score.is_not(None))
    if after is not None:
        statement = statement.where(
            tuple_(Comment.spam_score, Comment.id) < tuple_(after.score, after.id)
        )
    statement = statement.order_by(Comment.spam_score.desc(), Comment.id.desc()).limit(limit)
    return list(db.session.execute(statement))


def _unscored_part(filters: QueueFilters, after_id: int | None, limit: int, columns) -> list:
    # Comments inserted without a score (imports, tests) come after every scored one.
    statement = _filtered(select(*columns), filters).where(Comment.spam_score.is_(None))
    if after_id is not None:
        statement = statement.where(Comment.id < after_id)
    statement = statement.order_by(Comment.id.desc()).limit(limit)
    return list(db.session.execute(statement))


def _keyset_ids(filters: QueueFilters, after: Cursor | None, limit: int) -> list[tuple]:
    """Up to `limit` (score, id) pairs after the cursor, in queue order."""
    columns = (Comment.spam_score, Comment.id)
    rows: list = []
    if after is None or after.score is not None:
        rows = _scored_part(filters, after, limit, columns)
    if len(rows) < limit:
        after_id = after.id if after is not None and after.score is None else None
        rows += _unscored_part(filters, after_id, limit - len(rows), columns)
    return [(row[0], row[1]) for row in rows]


def count_matching(filters: QueueFilters) -> tuple[int | None, bool]:
    """How many comments match, counting at most COUNT_CAP + 1 so huge queues stay cheap.

    None for substring searches: with no index to help, counting them would scan every
    comment of the site a second time just to print a number.
    """
    if filters.text or filters.author or filters.email:
        return None, False
    capped = _filtered(select(Comment.id), filters).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped))
    return min(total, COUNT_CAP), total > COUNT_CAP


def cursor_at_offset(filters: QueueFilters, offset: int) -> Cursor | None:
    """The cursor that starts a page `offset` comments into the queue (for offset clients)."""
    if offset <= 0:
        return None
    keys = _keyset_ids(filters, None, offset)
    if len(keys) < offset:
        return PAST_THE_END
    return Cursor(*keys[-1])


def queue_page(
    filters: QueueFilters, after: Cursor | None = None, limit: int | None = None
) -> QueuePage:
    limit = limit or PAGE_SIZE
    keys = _keyset_ids(filters, after, limit + 1)
    page_keys = keys[:limit]
    ids = [comment_id for _, comment_id in page_keys]
    by_id = {}
    if ids:
        by_id = {
            c.id: c
            for c in db.session.scalars(
                select(Comment)
                .where(Comment.id.in_(ids))
                .options(
                    joinedload(Comment.thread),
                    joinedload(Comment.site),
                    joinedload(Comment.parent),
                )
            )
        }
    next_cursor = None
    if len(keys) > limit:
        score, comment_id = page_keys[-1]
        next_cursor = Cursor(score, comment_id)
    total, capped = count_matching(filters)
    return QueuePage(
        comments=[by_id[i] for i in ids if i in by_id],
        next_cursor=next_cursor,
        total=total,
        total_capped=capped,
    )


def matching_ids(filters: QueueFilters, limit: int = BULK_MAX) -> list[int]:
    """Every comment id matching the filters (up to `limit`), walked page by page."""
    ids: list[int] = []
    after = None
    while len(ids) < limit:
        keys = _keyset_ids(filters, after, min(BULK_BATCH, limit - len(ids)))
        if not keys:
            break
        ids.extend(comment_id for _, comment_id in keys)
        after = Cursor(*keys[-1])
    return ids


def filters_query(filters: QueueFilters, sites: list[Site]) -> dict[str, str]:
    """The query-string form of `filters`, to keep them across redirects and pages."""
    slugs = [site.slug for site in sites if site.id in filters.site_ids]
    query = {
        "site": slugs[0] if len(slugs) == 1 and len(sites) > 1 else "",
        "status": filters.status if filters.status != Status.PENDING else "",
        "min_score": "" if filters.min_score is None else str(filters.min_score),
        "max_score": "" if filters.max_score is None else str(filters.max_score),
        "q": filters.text,
        "author": filters.author,
        "email": filters.email,
        "ip": filters.ip,
    }
    return {key: value for key, value in query.items() if value}
