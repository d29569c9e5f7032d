"""`flask import …`: every documented format imports states, nesting and authors; bad files
and bad records are named; re-running adds nothing; nothing is scored or announced."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from service import queue
from service.comments.models import Comment, Thread
from service.extensions import db
from service.moderation.models import ModerationEvent
from service.porting.models import ImportedComment
from tests.porting_support import (
    DISQUS_HEAD,
    comments_by_text,
    disqus_post,
    disqus_thread,
    make_isso_db,
    write,
)


@pytest.fixture
def run_import(app):
    runner = app.test_cli_runner()

    def invoke(fmt: str, path, *args: str):
        return runner.invoke(
            args=["import", fmt, str(path), "--site", "blog", "--quiet", *args],
            catch_exceptions=False,
        )

    return invoke


@pytest.fixture
def no_tasks(monkeypatch):
    sent = []
    monkeypatch.setattr(queue, "send", lambda *args: sent.append(args) or True)
    monkeypatch.setattr(queue, "announce_new_comment", lambda *args: sent.append(args))
    return sent


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


DISQUS_FILE = (
    DISQUS_HEAD
    + '<category dsq:id="1"><forum>blog</forum><title>General</title></category>\n'
    + disqus_thread("10", "https://blog.example/posts/one/", "First post")
    + disqus_thread("11", "https://blog.example/posts/two/?lang=de", "Zweiter Beitrag")
    # The reply comes before its parent: exports do not promise tree order.
    + disqus_post("102", "10", "<p>A reply</p>", parent="101", name="Bob")
    + disqus_post("101", "10", "<p>Top <b>level</b><script>alert(1)</script></p>")
    + disqus_post("103", "10", "<p>Buy pills</p>", spam=True)
    + disqus_post("104", "11", "<p>Gelöscht</p>", deleted=True)
    + disqus_post("105", "11", "<p>Grüße 👋 aus Köln</p>", name="Jürgen")
    + "</disqus>\n"
)


def test_disqus_import_keeps_pages_nesting_states_and_sanitises(
    site, run_import, tmp_path, no_tasks
):
    result = run_import("disqus", write(tmp_path / "d.xml", DISQUS_FILE))

    assert result.exit_code == 0, result.output
    assert "imported 5 comment(s) on 2 page(s)" in result.output
    comments = comments_by_text(site)
    top, reply = (
        comments["<p>Top <b>level</b><script>alert(1)</script></p>"],
        comments["<p>A reply</p>"],
    )
    assert reply.parent_id == top.id and top.parent_id is None
    # Through sanitise.py's allow-list, exactly as a new comment: tags stripped, text kept.
    assert top.html == "<p>Top levelalert(1)</p>"
    assert top.status == "approved" and top.author_name == "Reader"
    assert top.email == "reader@example.org"
    assert comments["<p>Buy pills</p>"].status == "spam"
    assert comments["<p>Gelöscht</p>"].status == "deleted"
    german = comments["<p>Grüße 👋 aus Köln</p>"]
    assert german.author_name == "Jürgen"
    assert german.created_at.replace(tzinfo=None).isoformat() == "2021-03-04T05:06:07"
    uris = set(db.session.scalars(select(Thread.uri).where(Thread.site_id == site.id)))
    assert uris == {"/posts/one/", "/posts/two/?lang=de"}
    # Not scored, not announced, no audit events: they were moderated where they came from.
    assert no_tasks == []
    assert count(ModerationEvent) == 0
    assert top.spam_score is None


def test_rerunning_an_import_adds_nothing(site, run_import, tmp_path):
    path = write(tmp_path / "d.xml", DISQUS_FILE)
    run_import("disqus", path)

    again = run_import("disqus", path)

    assert again.exit_code == 0
    assert "imported 0 comment(s)" in again.output and "5 already imported" in again.output
    assert count(Comment) == 5 and count(ImportedComment) == 5


def test_dry_run_reports_counts_and_writes_nothing(site, run_import, tmp_path):
    result = run_import("disqus", write(tmp_path / "d.xml", DISQUS_FILE), "--dry-run")

    assert "would import 5 comment(s) on 2 page(s)" in result.output
    assert "1 deleted" in result.output and "1 spam" in result.output
    assert count(Comment) == 0 and count(Thread) == 0


def test_a_bad_record_is_named_by_line_and_the_rest_import(site, run_import, tmp_path):
    text = (
        DISQUS_HEAD
        + disqus_thread("10", "https://blog.example/a")
        + disqus_post("1", "10", "fine")
        + disqus_post("2", "99", "on an undeclared thread")
        + disqus_post("3", "10", "bad date", created="yesterday")
        + "</disqus>\n"
    )
    result = run_import("disqus", write(tmp_path / "d.xml", text))

    assert result.exit_code == 1
    assert "line 5, <post dsq:id='2'>: the post's thread '99' was not declared" in result.output
    assert "line 6, <post dsq:id='3'>: createdAt 'yesterday' is not a date" in result.output
    assert set(comments_by_text(site)) == {"fine"}


def test_a_reply_whose_parent_is_missing_is_kept_at_top_level_and_named(site, run_import, tmp_path):
    text = (
        DISQUS_HEAD
        + disqus_thread("10", "https://blog.example/a")
        + disqus_post("1", "10", "orphan", parent="999")
        + "</disqus>\n"
    )
    result = run_import("disqus", write(tmp_path / "d.xml", text))

    assert result.exit_code == 1
    assert "comment 1: its parent 999 is not on the same page" in result.output
    assert comments_by_text(site)["orphan"].parent_id is None


def test_xml_that_is_not_well_formed_fails_naming_the_line(site, run_import, tmp_path):
    text = DISQUS_HEAD + disqus_thread("10", "https://blog.example/a") + "<post dsq:id='1'>\n"
    result = run_import("disqus", write(tmp_path / "d.xml", text))

    assert result.exit_code == 1
    assert "line 5, column 0: not well-formed XML" in result.output
    assert count(Comment) == 0


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<disqus><post dsq:id="1" xmlns:dsq="x"><message>&lol3;</message></post></disqus>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE disqus [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<disqus><post><message>&secret;</message></post></disqus>
"""


@pytest.mark.parametrize("fmt", ["disqus", "wordpress"])
@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_entity_attacks_are_refused(site, run_import, tmp_path, fmt, payload):
    result = run_import(fmt, write(tmp_path / "evil.xml", payload))

    assert result.exit_code == 1
    assert "refused: the file declares a DTD" in result.output
    assert count(Comment) == 0


def wxr(comments: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>My blog</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Hello world</title><link>https://blog.example/hello-world/</link>
<wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type>
{comments}
</item></channel></rss>
"""


def wp_comment(cid: int, content: str, *, approved="1", parent=0, kind="", date=None) -> str:
    return f"""<wp:comment><wp:comment_id>{cid}</wp:comment_id>
<wp:comment_author><![CDATA[Ann Author]]></wp:comment_author>
<wp:comment_author_email><![CDATA[ann@example.org]]></wp:comment_author_email>
<wp:comment_author_url>https://ann.example/</wp:comment_author_url>
<wp:comment_author_IP>192.0.2.7</wp:comment_author_IP>
<wp:comment_date>2019-05-06 09:10:11</wp:comment_date>
<wp:comment_date_gmt>{date or "2019-05-06 07:10:11"}</wp:comment_date_gmt>
<wp:comment_content><![CDATA[{content}]]></wp:comment_content>
<wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
<wp:comment_type><![CDATA[{kind}]]></wp:comment_type>
<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"""


WXR_FILE = wxr(
    wp_comment(1, "First!\n\nSecond paragraph")
    + wp_comment(2, "Reply <em>here</em>", parent=1)
    + wp_comment(3, "held", approved="0")
    + wp_comment(4, "spammy", approved="spam")
    + wp_comment(5, "binned", approved="trash")
    + wp_comment(6, "Linked from elsewhere", kind="pingback")
)


def test_wordpress_import_states_nesting_and_skipped_pingbacks(site, run_import, tmp_path):
    result = run_import("wordpress", write(tmp_path / "wp.xml", WXR_FILE))

    assert result.exit_code == 0, result.output
    assert "1 pingback(s)/trackback(s) skipped" in result.output
    comments = comments_by_text(site)
    first = comments["First!\n\nSecond paragraph"]
    assert first.html == "<p>First!</p>\n<p>Second paragraph</p>"
    assert first.website == "https://ann.example/" and first.email == "ann@example.org"
    assert first.created_at.replace(tzinfo=None).isoformat() == "2019-05-06T07:10:11"
    assert comments["Reply <em>here</em>"].parent_id == first.id
    states = {text: c.status for text, c in comments.items()}
    assert states["held"] == "pending" and states["spammy"] == "spam"
    assert states["binned"] == "deleted"
    assert first.ip == ""  # addresses from elsewhere are not kept


def test_wordpress_pingbacks_import_when_asked(site, run_import, tmp_path):
    run_import("wordpress", write(tmp_path / "wp.xml", WXR_FILE), "--with-pingbacks")

    assert "Linked from elsewhere" in comments_by_text(site)


def test_wordpress_unknown_state_is_named(site, run_import, tmp_path):
    path = write(tmp_path / "wp.xml", wxr(wp_comment(7, "odd", approved="maybe")))
    result = run_import("wordpress", path)

    assert result.exit_code == 1
    assert "<wp:comment> 7: comment_approved 'maybe' is not one of" in result.output


def test_isso_database_imports_modes_and_nesting(site, run_import, tmp_path):
    path = make_isso_db(
        tmp_path / "comments.db",
        [
            (1, 1, None, 1600000000.5, 1, "Hello *isso*", "Ida", "ida@example.org", ""),
            (2, 1, 1, 1600000100.0, 2, "waiting", "", "", ""),
            (3, 1, 1, 1600000200.0, 4, "", None, None, None),
            (4, 1, None, "not a time", 1, "broken", "", "", ""),
        ],
    )
    result = run_import("isso", path)

    assert result.exit_code == 1
    assert "isso comment id 4: created 'not a time' is not a Unix time" in result.output
    comments = comments_by_text(site)
    hello = comments["Hello *isso*"]
    assert hello.html == "<p>Hello <em>isso</em></p>" and hello.author_name == "Ida"
    assert comments["waiting"].status == "pending" and comments["waiting"].parent_id == hello.id
    assert comments[""].status == "deleted"
    assert db.session.get(Thread, hello.thread_id).title == "Isso post"


def test_a_file_that_is_not_an_isso_database_is_refused(site, run_import, tmp_path):
    result = run_import("isso", write(tmp_path / "x.db", "not sqlite at all " * 100))

    assert result.exit_code == 1 and "not an Isso database" in result.output


def test_remark42_backup_imports_and_names_bad_lines(site, run_import, tmp_path):
    lines = [
        {"version": 1, "users": [], "posts": []},
        {
            "id": "c1",
            "pid": "",
            "text": "<p>Remark <strong>one</strong></p>",
            "orig": "Remark **one**",
            "user": {"name": "Rem", "id": "github_1"},
            "locator": {"site": "blog", "url": "https://blog.example/r/"},
            "time": "2020-01-02T03:04:05.123+01:00",
            "delete": False,
            "title": "Remarkable",
        },
        {
            "id": "c2",
            "pid": "c1",
            "text": "",
            "user": {"name": "deleted"},
            "locator": {"url": "https://blog.example/r/"},
            "time": "2020-01-03T00:00:00Z",
            "delete": True,
        },
        {"id": "c3", "locator": {"url": "https://blog.example/r/"}, "time": 5},
    ]
    text = "\n".join(json.dumps(line) for line in lines) + "\n{not json\n"
    result = run_import("remark42", write(tmp_path / "backup", text))

    assert result.exit_code == 1
    assert "line 4 (id 'c3'): time must be a str" in result.output
    assert "line 5: not valid JSON" in result.output
    comments = comments_by_text(site)
    one = comments["<p>Remark <strong>one</strong></p>"]
    assert one.html == "<p>Remark <strong>one</strong></p>" and one.author_name == "Rem"
    assert one.created_at.replace(tzinfo=None).isoformat() == "2020-01-02T02:04:05.123000"
    assert comments[""].status == "deleted" and comments[""].parent_id == one.id


def test_a_remark42_file_without_header_is_refused(site, run_import, tmp_path):
    result = run_import("remark42", write(tmp_path / "backup", '{"id": "c1"}\n'))

    assert result.exit_code == 1 and "line 1: not a Remark42 backup" in result.output


def test_json_import_refuses_other_documents_and_versions(site, run_import, tmp_path):
    wrong = run_import("json", write(tmp_path / "a.json", '{"format": "other"}'))
    newer = write(
        tmp_path / "b.json", '{"format": "talkback-export", "version": 99, "threads": []}'
    )
    broken = run_import("json", write(tmp_path / "c.json", '{"format":\n  nope}'))

    assert "not a Talkback JSON export" in wrong.output
    assert "export version 99 is not one this server reads" in run_import("json", newer).output
    assert "line 2, column 3: not valid JSON" in broken.output


def test_importing_into_an_unknown_site_says_so(app, run_import, tmp_path):
    result = run_import("disqus", write(tmp_path / "d.xml", DISQUS_FILE))

    assert result.exit_code == 1 and "No site called 'blog'" in result.output
