"""The page front: a hot published page is answered before Flask, byte for byte as Flask did.

Every answer the front gives must be the one Flask gives for the same request (status,
headers, body), whatever the Origin, If-None-Match or page; what it must never keep is
anything but a 200 published page, and a change must reach the next reader.
"""

from __future__ import annotations

import time

import pytest
from werkzeug.test import Client

from service import create_app
from service.accounts import origins
from service.comments import page_cache
from service.comments.models import Status
from service.comments.page_front import PageFront, _matches
from service.comments.page_store import LocalPageStore
from service.extensions import db
from service.moderation import services as moderation
from tests import support

THREAD = "/api/v1/sites/blog/threads?uri=/post&limit=50"
PAGES = [
    THREAD,
    "/api/v1/sites/blog/threads?uri=/post",
    "/api/v1/sites/blog/counts?uri=/post&uri=/other",
    "/t/blog?uri=/post",
]
ORIGINS = [None, "https://blog.example", "http://localhost"]


def front_of(app) -> PageFront:
    return app.extensions[page_cache.FRONT]


class CountingApp:
    """Stands between the front and Flask: how many requests reached Flask."""

    def __init__(self, app):
        self.app, self.calls = app, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


@pytest.fixture
def counted(app):
    front = front_of(app)
    counting = CountingApp(front.app)
    front.app = counting
    return counting


def flask_alone(counted: CountingApp) -> Client:
    """A client on Flask's own answers, the front (and the count) bypassed."""
    return Client(counted.app)


def answer(response) -> tuple:
    headers = sorted((k, v) for k, v in response.headers.items() if k != "Date")
    return response.status_code, headers, response.get_data()


@pytest.fixture
def published(site, make_comment):
    make_comment(site, "First words.", status=Status.APPROVED)
    make_comment(site, "Other page.", status=Status.APPROVED, uri="/other")
    return site


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("origin", ORIGINS)
def test_the_front_answers_exactly_as_flask_does(app, client, published, counted, path, origin):
    headers = {"Origin": origin} if origin else {}
    first = client.get(path, headers=headers)
    assert first.status_code == 200
    reached = counted.calls
    again = client.get(path, headers=headers)
    assert counted.calls == reached, "the second read was answered before Flask"
    assert answer(again) == answer(first) == answer(flask_alone(counted).get(path, headers=headers))
    etag = first.headers["ETag"]
    for asked in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        ours = client.get(path, headers={**headers, "If-None-Match": asked})
        assert ours.status_code == 304 and ours.get_data() == b""
        theirs = flask_alone(counted).get(path, headers={**headers, "If-None-Match": etag})
        assert answer(ours) == answer(theirs)
    assert counted.calls == reached
    other = client.get(path, headers={**headers, "If-None-Match": '"something-else"'})
    assert answer(other) == answer(first)


def test_an_allowed_origin_gets_its_cors_header_and_others_are_never_kept(
    client, published, counted
):
    allowed = client.get(THREAD, headers={"Origin": "https://blog.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://blog.example"
    assert allowed.headers["Vary"] == "Origin"
    before = counted.calls
    for _ in range(2):
        refused = client.get(THREAD, headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "origin_not_allowed"
    assert counted.calls == before + 2  # each refusal is Flask's, and recorded for the owner


def test_errors_redirects_head_and_posts_go_through_flask(client, published, counted):
    for _ in range(2):
        assert client.get("/api/v1/sites/nosuch/threads?uri=/post").status_code == 404
        assert client.get("/api/v1/sites/blog/threads?uri=").status_code == 422
        assert client.head(THREAD).status_code == 200
    assert counted.calls == 6
    client.get(THREAD)
    calls = counted.calls
    response = client.post("/api/v1/sites/blog/comments", json={"uri": "/post", "text": "Hi!"})
    assert response.status_code == 202
    assert counted.calls == calls + 1


def test_a_moderators_decision_reaches_the_next_reader(
    app, client, site, make_comment, make_moderator
):
    pending = make_comment(site, "Waiting words.")
    assert client.get(THREAD).get_json()["total"] == 0
    assert client.get(THREAD).get_json()["total"] == 0  # from the front
    moderation.moderate(pending, Status.APPROVED, make_moderator(site)[0])
    assert client.get(THREAD).get_json()["total"] == 1


def test_a_change_written_by_another_process_is_seen_at_once(app, client, published, counted):
    client.get(THREAD)
    calls = counted.calls
    store = app.extensions[page_cache.EXTENSION]
    assert isinstance(store, LocalPageStore)
    LocalPageStore(store.stamp_path).invalidate([])  # what the worker's commit does
    client.get(THREAD)
    assert counted.calls == calls + 1


def test_an_origin_the_owner_removes_is_refused_within_the_second(app, client, published, counted):
    front_of(app).seconds = 0.2
    headers = {"Origin": "https://blog.example"}
    assert client.get(THREAD, headers=headers).status_code == 200
    origins.remove_origin(published, "https://blog.example")
    db.session.commit()
    time.sleep(0.25)
    assert client.get(THREAD, headers=headers).status_code == 403


def test_weak_comparison_as_rfc_9110_asks():
    assert _matches('"a"', '"a"') and _matches('W/"a"', '"a"') and _matches('"b", "a"', '"a"')
    assert _matches("*", '"a"')
    assert not _matches('"b"', '"a"') and not _matches(None, '"a"') and not _matches("", '"a"')


@pytest.fixture
def redis_app(redis_url, tmp_path):
    """The production shape of the cache: Redis, shared by every process."""
    app = create_app(
        {
            "TALKBACK_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SPAM_MODEL_DIR": str(tmp_path / "models"),
            "PAGE_CACHE_URL": redis_url,
            "PAGE_CACHE_PREFIX": support.unique_name("front"),
        }
    )
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()


def test_with_redis_a_decision_in_this_process_reaches_the_next_reader(redis_app):
    from service.accounts import services as accounts
    from service.comments.models import Comment, Thread

    site = accounts.create_site("blog", "Blog", ["https://blog.example"])
    db.session.flush()
    thread = Thread(site_id=site.id, uri="/post", title="Post")
    db.session.add(thread)
    db.session.flush()
    comment = Comment(
        site_id=site.id, thread_id=thread.id, text="Hello", html="<p>Hello</p>", status="pending"
    )
    db.session.add(comment)
    db.session.commit()
    client = redis_app.test_client()
    headers = {"Origin": "https://blog.example"}
    assert client.get(THREAD, headers=headers).get_json()["total"] == 0
    assert client.get(THREAD, headers=headers).get_json()["total"] == 0
    moderator = accounts.get_or_create_moderator("mod@example.org")
    moderation.moderate(comment, Status.APPROVED, moderator)
    assert client.get(THREAD, headers=headers).get_json()["total"] == 1


def test_the_front_keeps_at_most_its_byte_budget(app, client, site, make_comment, monkeypatch):
    from service.comments import page_front

    monkeypatch.setattr(page_front, "MAX_BYTES", 3000)
    for n in range(12):
        make_comment(site, "Words " * 40, status=Status.APPROVED, uri=f"/p{n}")
        client.get(f"/api/v1/sites/blog/threads?uri=/p{n}")
    front = front_of(app)
    assert 0 < front._bytes <= 3000
    assert front._bytes == sum(len(entry.body) for entry in front._entries.values())
    assert len(front._entries) < 12
