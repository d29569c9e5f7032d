"""Behind a reverse proxy: TALKBACK_TRUSTED_PROXIES makes limits see each reader's address;
without it, X-Forwarded-For is whatever a client made up and is ignored."""

from __future__ import annotations

import uuid

import pytest

from service.accounts import services as accounts
from service.comments.models import Comment
from service.extensions import db
from service.security import truncate_ip
from tests import support


def _app(tmp_path, **overrides):
    app = support.testing_app(
        tmp_path,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=f"memory://{uuid.uuid4().hex}",
        COMMENT_RATE_LIMIT="2 per minute",
        **overrides,
    )
    with app.app_context():
        db.create_all()
        accounts.create_site("blog", "Blog", ["https://blog.example"])
    return app


def _post_as(client, reader: str) -> int:
    # The proxy (127.0.0.1 in the test client) appends the reader's address it saw.
    headers = {"X-Forwarded-For": reader, "X-Forwarded-Proto": "https"}
    body = {"uri": "/post", "text": f"Hello from {reader}"}
    return client.post("/api/v1/sites/blog/comments", json=body, headers=headers).status_code


@pytest.fixture
def readers():
    # Unique per run, so no other test's counters can meet these.
    n = uuid.uuid4().int % 250 + 1
    return f"203.0.113.{n}", f"198.51.100.{n}"


def test_with_a_trusted_proxy_two_readers_are_limited_separately(tmp_path, readers):
    app = _app(tmp_path, TRUSTED_PROXIES=1)
    ann, bob = readers
    with app.app_context():
        client = app.test_client()
        assert [_post_as(client, ann) for _ in range(3)] == [202, 202, 429]
        assert _post_as(client, bob) == 202  # Ann's limit is not Bob's
        # The spam scorer's network signals see the reader too, not the proxy.
        ips = {comment.ip for comment in db.session.scalars(db.select(Comment))}
        assert ips == {truncate_ip(ann), truncate_ip(bob)}
        db.session.remove()


def test_without_trusted_proxies_the_forwarded_header_is_ignored(tmp_path, readers):
    app = _app(tmp_path)
    ann, bob = readers
    with app.app_context():
        client = app.test_client()
        statuses = [_post_as(client, ann), _post_as(client, bob), _post_as(client, ann)]
        # Everybody is the proxy's one address: a made-up header buys no fresh limit.
        assert statuses == [202, 202, 429]
        ips = {comment.ip for comment in db.session.scalars(db.select(Comment))}
        assert ips == {truncate_ip("127.0.0.1")}
        db.session.remove()
