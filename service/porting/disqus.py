"""Disqus export XML: read it as a stream, and write it for Disqus, Isso or Remark42 to read.

The format is Disqus' documented export (help.disqus.com "Comments Export", schema
disqus.com/api/schemas/1.0/disqus.xsd): `<thread dsq:id>` elements with `<id>`, `<link>`,
`<title>`, then `<post dsq:id>` elements with `<message>` (HTML), `<createdAt>`,
`<isDeleted>`, `<isSpam>`, `<author><name/><email/></author>`, `<thread dsq:id>` (or the
thread's `<id>` as text) and an optional `<parent dsq:id>`. Talkback also writes
`<isApproved>false</isApproved>` for comments awaiting review; readers that do not know it
ignore it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

from service.accounts.models import Site
from service.porting.exporter import ExportedThread, absolute_link, export_threads
from service.porting.records import (
    BadRecord,
    BodyFormat,
    ImportStatus,
    RecordProblem,
    SourceComment,
    parse_timestamp,
)
from service.porting.xmlstream import attribute, child, stream_records, text_of

RECORDS = frozenset({"thread", "post"})


def _is_true(element: Element, name: str) -> bool:
    return text_of(element, name).strip().lower() == "true"


def _status(post: Element) -> str:
    if _is_true(post, "isSpam"):
        return ImportStatus.SPAM
    if _is_true(post, "isDeleted"):
        return ImportStatus.DELETED
    if text_of(post, "isApproved").strip().lower() == "false":
        return ImportStatus.PENDING
    return ImportStatus.APPROVED


def _thread_ref(post: Element) -> str:
    ref = child(post, "thread")
    if ref is None:
        raise BadRecord("the post names no thread")
    return attribute(ref, "id") or f"id:{(ref.text or '').strip()}"


def read_disqus(source: IO[bytes]) -> Iterator[SourceComment | RecordProblem]:
    threads: dict[str, tuple[str, str]] = {}
    for element, line_of in stream_records(source, RECORDS):
        dsq_id = attribute(element, "id")
        where = f"line {line_of(element)}, <{element.tag.rsplit('}', 1)[-1]} dsq:id={dsq_id!r}>"
        if element.tag.endswith("thread"):
            identifier = text_of(element, "id").strip()
            page = (text_of(element, "link").strip() or identifier, text_of(element, "title"))
            threads[dsq_id] = page
            if identifier:
                threads[f"id:{identifier}"] = page
            continue
        try:
            ref = _thread_ref(element)
            if ref not in threads:
                raise BadRecord(f"the post's thread {ref!r} was not declared before it")
            author = child(element, "author")
            link, title = threads[ref]
            yield SourceComment(
                source_id=dsq_id,
                thread_url=link,
                thread_title=title,
                parent_source_id=attribute(child(element, "parent"), "id") or None,
                author=text_of(author, "name") if author is not None else "",
                email=text_of(author, "email") if author is not None else "",
                website="",
                body=text_of(element, "message"),
                body_format=BodyFormat.HTML,
                status=_status(element),
                created=parse_timestamp(text_of(element, "createdAt"), "createdAt"),
                where=where,
            )
        except BadRecord as error:
            yield RecordProblem(where, str(error))


def _tag(name: str, value: str) -> str:
    return f"<{name}>{escape(value)}</{name}>" if value else f"<{name}/>"


def _flag(name: str, value: bool) -> str:
    return _tag(name, "true" if value else "false")


def _thread_xml(site: Site, thread: ExportedThread) -> str:
    created = thread.comments[0]["created"] if thread.comments else ""
    return (
        f"<thread dsq:id={quoteattr(thread.key)}>"
        f"{_tag('id', thread.uri)}{_tag('forum', site.slug)}"
        f"{_tag('link', absolute_link(site, thread))}{_tag('title', thread.title)}"
        f"{_tag('createdAt', created)}</thread>\n"
    )


def _post_xml(thread: ExportedThread, comment: dict) -> str:
    status = comment["status"]
    parent = comment["parent"]
    return (
        f"<post dsq:id={quoteattr(comment['id'])}>"
        f"{_tag('message', comment['html'])}{_tag('createdAt', comment['created'])}"
        f"{_flag('isDeleted', status in (ImportStatus.DELETED, ImportStatus.REJECTED))}"
        f"{_flag('isSpam', status == ImportStatus.SPAM)}"
        f"{_flag('isApproved', status != ImportStatus.PENDING)}"
        f"<author>{_tag('email', comment['email'])}{_tag('name', comment['author'])}"
        f"{_flag('isAnonymous', True)}</author>"
        f"<thread dsq:id={quoteattr(thread.key)}/>"
        + (f"<parent dsq:id={quoteattr(parent)}/>" if parent else "")
        + "</post>\n"
    )


def write_disqus(site: Site, out: IO[str]) -> int:
    """Write the site's comments as a Disqus export; returns how many comments."""
    out.write(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" '
        'xmlns:dsq="http://disqus.com/disqus-internals">\n'
    )
    threads = list(export_threads(site))
    for thread in threads:
        out.write(_thread_xml(site, thread))
    count = 0
    for thread in threads:
        for comment in thread.comments:
            out.write(_post_xml(thread, comment))
            count += 1
    out.write("</disqus>\n")
    return count
