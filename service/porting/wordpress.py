"""WordPress WXR export (Tools > Export): one `<item>` per post with its `<wp:comment>`s.

Fields (WXR 1.0-1.2, namespace `http://wordpress.org/export/1.x/`): `wp:comment_id`,
`wp:comment_author`, `wp:comment_author_email`, `wp:comment_author_url`,
`wp:comment_date_gmt`, `wp:comment_content`, `wp:comment_approved` (`1`, `0`, `spam`,
`trash`), `wp:comment_type` (empty or `comment`, `pingback`, `trackback`) and
`wp:comment_parent` (`0` for none). Content is what the author typed (text with some
HTML); it is rendered like a new comment, which keeps paragraphs and line breaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from service.porting.records import (
    BadRecord,
    BodyFormat,
    ImportStatus,
    RecordProblem,
    SourceComment,
    parse_timestamp,
)
from service.porting.xmlstream import local, stream_records, text_of

RECORDS = frozenset({"item", "comment"})
STATUSES = {
    "1": ImportStatus.APPROVED,
    "approve": ImportStatus.APPROVED,
    "0": ImportStatus.PENDING,
    "hold": ImportStatus.PENDING,
    "spam": ImportStatus.SPAM,
    "trash": ImportStatus.DELETED,
    "post-trashed": ImportStatus.DELETED,
}
NO_DATE = "0000-00-00 00:00:00"


def _comment(link: str, title: str, element, where: str) -> SourceComment:
    approved = text_of(element, "comment_approved").strip()
    if approved not in STATUSES:
        raise BadRecord(f"comment_approved {approved!r} is not one of {', '.join(STATUSES)}")
    gmt = text_of(element, "comment_date_gmt").strip()
    created = parse_timestamp(
        gmt if gmt and gmt != NO_DATE else text_of(element, "comment_date"), "comment_date_gmt"
    )
    parent = text_of(element, "comment_parent").strip()
    return SourceComment(
        source_id=text_of(element, "comment_id").strip(),
        thread_url=link,
        thread_title=title,
        parent_source_id=parent if parent not in ("", "0") else None,
        author=text_of(element, "comment_author"),
        email=text_of(element, "comment_author_email"),
        website=text_of(element, "comment_author_url"),
        body=text_of(element, "comment_content"),
        body_format=BodyFormat.MARKDOWN,
        status=STATUSES[approved],
        created=created,
        where=where,
        is_pingback=text_of(element, "comment_type").strip() in ("pingback", "trackback"),
    )


def read_wordpress(source: IO[bytes]) -> Iterator[SourceComment | RecordProblem]:
    for item, line_of in stream_records(source, RECORDS):
        if local(item.tag) != "item":
            continue  # a stray <wp:comment> outside a post has no page to belong to
        link, title = text_of(item, "link").strip(), text_of(item, "title")
        for element in item:
            if local(element.tag) != "comment":
                continue
            comment_id = text_of(element, "comment_id").strip()
            where = f"line {line_of(element)}, <wp:comment> {comment_id or '(no id)'}"
            try:
                yield _comment(link, title, element, where)
            except BadRecord as error:
                yield RecordProblem(where, str(error))
