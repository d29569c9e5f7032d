"""What every importer hands the shared import loop: plain records, no database, no Flask.

Each source format (Disqus, WordPress, Isso, Remark42, our own JSON) is read by its own
module into `SourceComment`s; problems with single records come out as `RecordProblem`s in
the same stream, so one bad record names itself and the rest still import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from service.http.validation import BIDI_CONTROLS, CONTROL_CHARS


class ImportStatus:
    """The states an imported comment may arrive in (never `received`: it is not re-scored)."""

    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    REJECTED = "rejected"
    DELETED = "deleted"
    ALL = (APPROVED, PENDING, SPAM, REJECTED, DELETED)


class BodyFormat:
    MARKDOWN = "markdown"  # rendered like a new comment
    HTML = "html"  # sanitised with the same allow-list


class ImportFailed(Exception):
    """The whole file cannot be read (not XML, a DTD, not a database ...); names where."""


@dataclass(frozen=True)
class SourceComment:
    source_id: str
    thread_url: str
    thread_title: str
    parent_source_id: str | None
    author: str
    email: str
    website: str
    body: str
    body_format: str
    status: str
    created: datetime
    where: str
    html: str | None = None  # our own export carries the published HTML
    edited: datetime | None = None
    is_pingback: bool = False


@dataclass(frozen=True)
class RecordProblem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class BadRecord(ValueError):
    """Raised by a format's field readers; the format turns it into a RecordProblem."""


def parse_timestamp(value: str | None, field: str) -> datetime:
    """ISO 8601 (with `Z`, an offset, or naive meaning UTC) -> aware UTC datetime."""
    raw = (value or "").strip()
    if not raw:
        raise BadRecord(f"{field} is missing")
    try:
        moment = datetime.fromisoformat(raw.replace(" ", "T", 1) if "T" not in raw else raw)
    except ValueError:
        raise BadRecord(f"{field} {raw[:40]!r} is not a date") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def thread_uri(url: str) -> str:
    """A page's absolute URL (or path) -> the `/path?query` Talkback keys threads by."""
    raw = (url or "").strip()
    if not raw:
        raise BadRecord("the thread has no link")
    parts = urlsplit(raw)
    if raw.startswith("/") and not raw.startswith("//"):
        path = raw
    elif parts.scheme in ("http", "https") and parts.netloc:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    else:
        raise BadRecord(f"the thread link {raw[:80]!r} is neither a path nor an http(s) URL")
    if len(path) > 1024 or CONTROL_CHARS.search(path):
        raise BadRecord("the thread link is too long or holds control characters")
    return path


def clean_line(value: str | None, limit: int) -> str:
    """A one-line field (name, e-mail, website): no control or bidi characters, bounded."""
    text = BIDI_CONTROLS.sub("", CONTROL_CHARS.sub("", value or ""))
    return re.sub(r"\s+", " ", text).strip()[:limit]


def clean_text(value: str | None) -> str:
    return CONTROL_CHARS.sub("", value or "").strip()


def clean_website(value: str | None) -> str:
    website = clean_line(value, 500)
    return website if urlsplit(website).scheme in ("http", "https") else ""
