"""Small files in each documented import format, built in the test, never shipped."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import select

from service.comments.models import Comment
from service.extensions import db

DISQUS_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
)


def disqus_thread(dsq_id: str, link: str, title: str = "A post") -> str:
    return (
        f'<thread dsq:id="{dsq_id}"><id>{dsq_id}</id><forum>blog</forum>'
        f"<link>{link}</link><title>{title}</title></thread>\n"
    )


def disqus_post(
    dsq_id: str,
    thread: str,
    message: str,
    *,
    parent: str | None = None,
    spam: bool = False,
    deleted: bool = False,
    created: str = "2021-03-04T05:06:07Z",
    name: str = "Reader",
    email: str = "reader@example.org",
) -> str:
    parent_xml = f'<parent dsq:id="{parent}"/>' if parent else ""
    return (
        f'<post dsq:id="{dsq_id}"><id/><message><![CDATA[{message}]]></message>'
        f"<createdAt>{created}</createdAt><isDeleted>{str(deleted).lower()}</isDeleted>"
        f"<isSpam>{str(spam).lower()}</isSpam>"
        f"<author><email>{email}</email><name>{name}</name><isAnonymous>false</isAnonymous>"
        f'</author><thread dsq:id="{thread}"/>{parent_xml}</post>\n'
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def make_isso_db(path: Path, comments: list[tuple]) -> Path:
    """Isso's schema (isso/db/threads.py, comments.py); rows are
    (id, tid, parent, created, mode, text, author, email, website)."""
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));"
        "CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, "
        "parent INTEGER, created FLOAT NOT NULL, modified FLOAT, mode INTEGER, "
        "remote_addr VARCHAR, text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR, "
        "likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB, notification INTEGER);"
        "INSERT INTO threads VALUES (1, '/isso/post', 'Isso post');"
    )
    connection.executemany(
        "INSERT INTO comments (id, tid, parent, created, mode, text, author, email, website) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        comments,
    )
    connection.commit()
    connection.close()
    return path


def comments_by_text(site) -> dict[str, Comment]:
    rows = db.session.scalars(select(Comment).where(Comment.site_id == site.id)).all()
    return {comment.text: comment for comment in rows}
