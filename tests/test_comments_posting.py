"""The hot POST: a page posted to before costs one INSERT, and still every rule holds when
the page changed behind this process's back; the pool pings only connections left idle."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, delete, select, text, update

from service.accounts import services as accounts
from service.comments.models import Comment, Status, Thread
from service.extensions import db
from tests import support


def post(client, **body):
    body = {"uri": "/post", "text": "Hello there", **body}
    return client.post("/api/v1/sites/blog/comments", json=body)


def thread_of(comment_id: int) -> Thread:
    return db.session.get(Comment, comment_id).thread


def test_a_known_page_whose_thread_went_away_is_looked_up_again(client, site):
    first = post(client).get_json()["id"]
    gone = thread_of(first).id
    db.session.execute(delete(Thread).where(Thread.id == gone))
    db.session.commit()
    response = post(client, text="Still here?")
    assert response.status_code == 202
    # The insert's foreign key refused the remembered id; the page got a thread again.
    thread = thread_of(response.get_json()["id"])
    assert thread is not None
    assert thread.uri == "/post"


def test_a_reply_on_a_known_page_must_answer_a_published_comment_of_that_page(
    client, site, make_comment
):
    assert post(client).status_code == 202  # the page is known now
    pending = make_comment(site, "not yet decided", uri="/post", status=Status.PENDING)
    elsewhere = make_comment(site, "other page", uri="/other", status=Status.APPROVED)
    published = make_comment(site, "approved", uri="/post", status=Status.APPROVED)
    for parent in (pending, elsewhere):
        refused = post(client, parent_id=parent.id)
        assert refused.status_code == 422
        assert refused.get_json()["error"]["code"] == "unknown_parent"
    accepted = post(client, parent_id=published.id)
    assert accepted.status_code == 202
    assert db.session.get(Comment, accepted.get_json()["id"]).parent_id == published.id


def test_a_known_untitled_page_takes_the_title_a_later_comment_brings(client, site):
    first = post(client).get_json()["id"]
    assert thread_of(first).title == ""
    later = post(client, title="A post about owls").get_json()["id"]
    assert thread_of(later).title == "A post about owls"
    assert thread_of(later).id == thread_of(first).id


def test_a_known_page_of_a_site_is_not_another_sites_page(client, site, make_site):
    make_site("other")
    mine = post(client).get_json()["id"]
    theirs = client.post(
        "/api/v1/sites/other/comments", json={"uri": "/post", "text": "Hello there"}
    ).get_json()["id"]
    assert thread_of(mine).site.slug == "blog"
    assert thread_of(theirs).site.slug == "other"


# --- PostgreSQL: autocommit, and the pool's ping ----------------------------------------------


@pytest.fixture
def pg_blog(tmp_path):
    """A factory for apps on one throw-away PostgreSQL database holding the site `blog`."""
    with support.pg_database("talkback_posting") as url:
        apps = []

        def make(**config):
            app = support.testing_app(
                tmp_path, SQLALCHEMY_DATABASE_URI=url, TASKS_EAGER=False, **config
            )
            app.extensions["celery"].send_task = lambda *_args, **_kwargs: None
            if not apps:
                with app.app_context():
                    db.create_all()
                    accounts.create_site("blog", "Blog", [])
                    db.session.remove()
            apps.append(app)
            return app

        yield url, make
        for app in apps:
            with app.app_context():
                db.engine.dispose()


def terminate_backends(url: str) -> None:
    admin = create_engine(support.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": url.rsplit("/", 1)[1]},
        )
    admin.dispose()


@pytest.mark.integration
def test_an_accepted_comment_is_committed_before_it_is_answered(pg_blog):
    url, make = pg_blog
    client = make().test_client()
    other = create_engine(url)  # another process's view of the database
    try:
        ids = [post(client, text=f"Comment {n}.").get_json()["id"] for n in range(3)]
        with other.begin() as conn:  # a moderator publishes the first
            published = update(Comment).where(Comment.id == ids[0])
            conn.execute(published.values(status=Status.APPROVED))
        reply = post(client, text="A reply.", parent_id=ids[0])  # checked by the INSERT
        assert reply.status_code == 202
        ids.append(reply.get_json()["id"])
        # Every one is there for another connection: each 202 came after its commit.
        with other.connect() as conn:
            stored = conn.execute(select(Comment.id, Comment.status).where(Comment.id.in_(ids)))
            assert dict(stored.all()) == {
                ids[0]: Status.APPROVED,
                **dict.fromkeys(ids[1:], Status.RECEIVED),
            }
    finally:
        other.dispose()


def dropped_under(pg_blog, ping_after_idle: float):
    """A client whose pooled connection the database has just dropped."""
    url, make = pg_blog
    client = make(DATABASE_PING_AFTER_IDLE_SECONDS=ping_after_idle).test_client()
    assert post(client).status_code == 202
    terminate_backends(url)
    return client


@pytest.mark.integration
def test_an_idle_connection_the_database_dropped_is_replaced_before_use(pg_blog):
    client = dropped_under(pg_blog, ping_after_idle=0)
    assert post(client).status_code == 202


@pytest.mark.integration
def test_a_busy_connection_the_database_dropped_costs_one_503_then_recovers(pg_blog):
    client = dropped_under(pg_blog, ping_after_idle=3600)
    lost = post(client)
    assert lost.status_code == 503
    assert lost.get_json()["error"]["code"] == "service_unavailable"
    assert int(lost.headers["Retry-After"]) > 0
    assert post(client).status_code == 202
