"""The queue's keyset paging and filters on PostgreSQL, where NULLs sort and ILIKE differ."""

from __future__ import annotations

import re

import pytest

from service.accounts import passwords
from service.accounts import services as accounts
from service.accounts.models import Role
from service.comments.models import Comment, Status, Thread
from service.extensions import db
from service.moderation import queue as moderation_queue
from tests import support
from tests.moderator_forms import PASSWORD, login

pytestmark = pytest.mark.integration

SCORES = [0.9, 0.5, None, 0.5, 0.1, None, 0.7, 0.5]


@pytest.fixture(scope="module")
def pg_queue(pg_app):
    """A fresh site with comments of mixed (and missing) scores; returns ids in queue order."""
    with pg_app.app_context():
        site = accounts.create_site(support.unique_name("dash").replace("_", "-"), "PG queue")
        moderator = accounts.get_or_create_moderator(f"{site.slug}@example.org")
        accounts.grant_role(moderator, site, Role.OWNER)
        moderator.password_hash = passwords.hash_password(PASSWORD)
        thread = Thread(site_id=site.id, uri="/pg", title="PG")
        db.session.add(thread)
        db.session.flush()
        rows = []
        for index, score in enumerate(SCORES):
            comment = Comment(
                site_id=site.id,
                thread_id=thread.id,
                text=f"Comment NUMBER {index}",
                html=f"<p>Comment NUMBER {index}</p>",
                status=Status.PENDING,
                spam_score=score,
                author_name=f"Author {index}",
            )
            db.session.add(comment)
            db.session.flush()
            rows.append((score, comment.id))
        db.session.commit()
        scored = sorted((r for r in rows if r[0] is not None), key=lambda r: (-r[0], -r[1]))
        unscored = sorted((r for r in rows if r[0] is None), key=lambda r: -r[1])
        return site.id, site.slug, moderator.email, [cid for _, cid in scored + unscored]


def test_keyset_pages_walk_the_whole_queue_in_order(pg_app, pg_queue):
    site_id, _, _, expected = pg_queue
    with pg_app.app_context():
        filters = moderation_queue.QueueFilters(site_ids=frozenset({site_id}))
        seen, after = [], None
        while True:
            page = moderation_queue.queue_page(filters, after, limit=3)
            seen += [c.id for c in page.comments]
            if page.next_cursor is None:
                break
            after = page.next_cursor
        assert seen == expected
        assert moderation_queue.matching_ids(filters) == expected
        assert moderation_queue.count_matching(filters) == (len(SCORES), False)


def test_text_search_ignores_case_on_postgresql(pg_app, pg_queue):
    site_id, _, _, _ = pg_queue
    with pg_app.app_context():
        filters = moderation_queue.QueueFilters(site_ids=frozenset({site_id}), text="number 3")
        assert [c.text for c in moderation_queue.queue_page(filters).comments] == [
            "Comment NUMBER 3"
        ]


def test_queue_page_renders_on_postgresql(pg_app, pg_queue):
    _, slug, email, expected = pg_queue
    client = pg_app.test_client()
    assert login(client, email).status_code == 302
    page = client.get(f"/moderate/queue?site={slug}").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<article class="comment" id="c(\d+)"', page)] == expected
