"""SQL per request on the public read and write paths: constant, never one per comment.

A cached read needs no SQL at all; a cold one a fixed handful whatever the thread's size; a
new comment is validated, inserted once and handed to the queue.
"""

from __future__ import annotations

import queue as queue_module
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from service import queue
from service.comments.models import Status
from service.extensions import db


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def approve_many(make_comment, site, n: int, uri: str):
    first = make_comment(site, "first", status=Status.APPROVED, uri=uri)
    for i in range(n - 1):
        make_comment(site, f"reply {i}", status=Status.APPROVED, uri=uri, parent_id=first.id)


@pytest.mark.parametrize("path", ["/api/v1/sites/blog/threads?uri={uri}", "/t/blog?uri={uri}"])
def test_a_thread_read_costs_the_same_sql_for_3_or_60_comments_and_none_when_cached(
    client, site, make_comment, path
):
    reads = {}
    for n, uri in ((3, "/small"), (60, "/large")):
        approve_many(make_comment, site, n, uri)
        with counted_statements() as cold:
            assert client.get(path.format(uri=uri)).status_code == 200
        with counted_statements() as cached:
            assert client.get(path.format(uri=uri)).status_code == 200
        reads[n] = (len(cold), len(cached))
    # site, thread, total, one page of rows (in one SELECT each)
    assert reads[3] == reads[60] == (4, 0)


def test_counts_for_many_pages_are_one_query_then_none(client, site, make_comment):
    uris = [f"/post-{i}" for i in range(10)]
    for uri in uris:
        approve_many(make_comment, site, 2, uri)
    query = "&".join(f"uri={uri}" for uri in uris)
    with counted_statements() as cold:
        counts = client.get(f"/api/v1/sites/blog/counts?{query}").get_json()["counts"]
    assert counts == dict.fromkeys(uris, 2)
    assert cold == ["SELECT", "SELECT"]  # the site, then every count in one grouped query
    with counted_statements() as cached:
        client.get(f"/api/v1/sites/blog/counts?{query}")
    assert cached == []


def test_a_post_is_validated_inserted_once_and_queued(client, site, make_comment, app):
    parent = make_comment(site, "an earlier comment", uri="/post", status=Status.APPROVED)
    app.config["TASKS_EAGER"] = False  # count the request alone, not the worker's part
    app.config["ORIGINS_CACHE_SECONDS"] = 60  # however slow the machine, still cached
    sent = queue_module.Queue()
    app.extensions["celery"].send_task = lambda name, args, **_: sent.put((name, args))

    def post(**fields) -> list[str]:
        body = {"uri": "/post", "text": "Hello there", **fields}
        # The widget's own request: cross-origin, so CORS checks the site's origins.
        origin = {"Origin": "https://blog.example"}
        with counted_statements() as statements:
            response = client.post("/api/v1/sites/blog/comments", json=body, headers=origin)
        assert response.status_code == 202
        # The id goes to the broker from a background thread, after the answer.
        assert sent.get(timeout=5) == (queue.PROCESS_COMMENT, (response.get_json()["id"],))
        return statements

    # The first on this page in this process: the site's origins, the site with its
    # thread, then the one INSERT (BEGIN/COMMIT are not counted here).
    assert post() == ["SELECT", "SELECT", "INSERT"]
    # Then the page and the origins are known: the INSERT alone, in autocommit (no BEGIN
    # and COMMIT on the wire), a reply's parent checked inside it.
    assert post() == ["INSERT"]
    assert post(parent_id=parent.id) == ["INSERT"]
