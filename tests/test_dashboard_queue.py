"""The queue page: what a moderator sees for each comment, the filters, and keyset paging."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from service.accounts import services as accounts
from service.accounts.models import Role, SiteMembership
from service.comments.models import Status
from service.extensions import db
from service.moderation import queue as moderation_queue
from tests.moderator_forms import signed_in

ROW_RE = re.compile(r'<article class="comment" id="c(\d+)"')


def ids_on(response) -> list[int]:
    return [int(i) for i in ROW_RE.findall(response.get_data(as_text=True))]


def test_highest_spam_score_comes_first(moderator_client, site, make_comment):
    low = make_comment(site, "fine", spam_score=0.1)
    high = make_comment(site, "buy now", spam_score=0.8)
    middle = make_comment(site, "hmm", spam_score=0.4)
    unscored = make_comment(site, "imported")
    assert ids_on(moderator_client.get("/moderate/queue")) == [
        high.id,
        middle.id,
        low.id,
        unscored.id,
    ]


def test_each_entry_shows_what_a_moderator_needs(moderator_client, site, make_comment):
    parent = make_comment(site, "The parent", status=Status.APPROVED, author_name="Pat")
    make_comment(
        site,
        "A reply",
        html="<p>A <strong>reply</strong></p>",
        parent_id=parent.id,
        author_name="Robin",
        email="robin@example.net",
        website="https://robin.example",
        ip="203.0.113.0",
        spam_score=0.35,
        spam_reasons=[
            {"code": "one_link", "weight": 0.1, "detail": "The comment contains a link."}
        ],
    )
    page = moderator_client.get("/moderate/queue").get_data(as_text=True)
    for expected in (
        "Post /post",
        'href="https://blog.example/post"',
        "Robin",
        "robin@example.net",
        "https://robin.example",
        "203.0.113.0",
        "<p>A <strong>reply</strong></p>",
        "0.35",
        "The comment contains a link.",
        "+10%",
        "In reply to Pat",
        "The parent",
    ):
        assert expected in page, expected


def test_author_fields_are_escaped_while_the_sanitised_body_is_not(
    moderator_client, site, make_comment
):
    make_comment(site, "x", author_name="<script>alert(1)</script>", html="<p><em>ok</em></p>")
    page = moderator_client.get("/moderate/queue").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<p><em>ok</em></p>" in page


def test_only_http_addresses_become_links(moderator_client, site, make_comment):
    make_comment(site, "x", website="javascript:alert(1)")
    page = moderator_client.get("/moderate/queue").get_data(as_text=True)
    assert 'href="javascript:' not in page
    assert "javascript:alert(1)" in page


def test_pages_carry_a_strict_content_security_policy(moderator_client):
    policy = moderator_client.get("/moderate/queue").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=spam", ["spammy"]),
        ("status=approved", ["published"]),
        ("min_score=0.5", ["links galore"]),
        ("max_score=0.2", ["hello there"]),
        ("min_score=0.2&max_score=0.6", ["Buy cheap 100% pills"]),
        ("q=100%25", ["Buy cheap 100% pills"]),
        ("q=HELLO", ["hello there"]),
        ("author=ali", ["hello there"]),
        ("email=bob@", ["links galore"]),
        ("ip=198.51.100", ["Buy cheap 100% pills"]),
    ],
)
def test_filters(moderator_client, site, make_comment, query, expected):
    make_comment(site, "hello there", spam_score=0.1, author_name="Alice", ip="203.0.113.0")
    make_comment(site, "links galore", spam_score=0.7, email="bob@example.org")
    make_comment(site, "Buy cheap 100% pills", spam_score=0.3, ip="198.51.100.0")
    make_comment(site, "spammy", status=Status.SPAM, spam_score=0.95)
    make_comment(site, "published", status=Status.APPROVED, spam_score=0.0)
    page = moderator_client.get(f"/moderate/queue?{query}").get_data(as_text=True)
    shown = [
        text
        for text in ("hello there", "links galore", "Buy cheap 100% pills", "spammy", "published")
        if f"<p>{text}</p>" in page
    ]
    assert shown == expected


@pytest.mark.parametrize(
    "query",
    ["status=deleted", "min_score=abc", "max_score=2", "after=zzz", "after=inf_3", "site=nope"],
)
def test_bad_filters_are_a_clear_422_not_a_crash(moderator_client, site, query):
    response = moderator_client.get(f"/moderate/queue?{query}")
    assert response.status_code == 422
    assert 'class="flash error"' in response.get_data(as_text=True)


def test_keyset_pages_cover_every_comment_exactly_once(
    moderator_client, site, make_comment, monkeypatch
):
    monkeypatch.setattr(moderation_queue, "PAGE_SIZE", 4)
    expected = []
    for index in range(7):
        expected.append(make_comment(site, f"scored {index}", spam_score=[0.5, 0.2][index % 2]).id)
    for index in range(3):
        expected.append(make_comment(site, f"unscored {index}").id)
    seen, url = [], "/moderate/queue"
    pages = 0
    while url:
        page = moderator_client.get(url).get_data(as_text=True)
        seen += [int(i) for i in ROW_RE.findall(page)]
        match = re.search(r'href="([^"]+)" rel="next"', page)
        url = match.group(1).replace("&amp;", "&") if match else None
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


def test_queue_uses_no_offset(app, site, make_comment):
    """Deep pages must cost what the first costs: the SQL has a keyset, never an OFFSET."""
    make_comment(site, "one", spam_score=0.5)
    statements = []

    def record(conn, cursor, statement, parameters, *args):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        filters = moderation_queue.QueueFilters(site_ids=frozenset({site.id}))
        moderation_queue.queue_page(filters, moderation_queue.Cursor(0.9, 10**6))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    page_reads = [(s, p) for s, p in statements if "ORDER BY comments.spam_score DESC" in s]
    assert page_reads
    for statement, parameters in page_reads:
        assert "(comments.spam_score, comments.id) < (" in statement
        # SQLAlchemy renders `OFFSET ?` on SQLite even without an offset; it must bind 0.
        assert "OFFSET" not in statement or parameters[-1] == 0


def test_a_moderator_of_two_sites_can_narrow_to_one(app, site, make_site, make_comment):
    other = make_site("other")
    accounts.grant_role(accounts.get_or_create_moderator("mod@example.org"), other)
    moderator_client = signed_in(app, site, "mod@example.org")
    here = make_comment(site, "here", spam_score=0.1)
    there = make_comment(other, "there", spam_score=0.2)
    assert ids_on(moderator_client.get("/moderate/queue")) == [there.id, here.id]
    assert ids_on(moderator_client.get("/moderate/queue?site=blog")) == [here.id]


def test_owner_sees_settings_and_rules_links_but_a_moderator_does_not(app, site):
    owner = signed_in(app, site, "owner@example.org", Role.OWNER)
    moderator = signed_in(app, site, "mod2@example.org")
    assert "/moderate/sites/blog/settings" in owner.get("/moderate/queue").get_data(as_text=True)
    assert "/moderate/sites/blog/settings" not in moderator.get("/moderate/queue").get_data(
        as_text=True
    )


def test_a_moderator_without_sites_is_told_so(app, site):
    moderator_client = signed_in(app, site, "lonely@example.org")
    db.session.query(SiteMembership).delete()
    db.session.commit()
    page = moderator_client.get("/moderate/queue").get_data(as_text=True)
    assert "You are not a moderator of any site yet." in page
