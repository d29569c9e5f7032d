"""New comments wake the worker with one message for many, and none is ever left behind.

The web raises a flag in Redis after its commit and publishes only when it raised it; the
worker lowers it before claiming what waits (service/queue/wake.py). These tests run the
web's side through the API and the worker's through its task, on the machine's Redis.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy.exc import OperationalError

from service import queue
from service.comments.models import Comment, Status
from service.extensions import db
from service.moderation import pipeline
from service.moderation.models import ModerationEvent
from service.moderation.sanitise import render_comment
from service.queue import wake
from tests import support

WAKE_TTL_MS = 2000


class InlineExecutor:
    """The publishing thread, run in the caller so a test sees every send at once."""

    def submit(self, fn, *args):
        fn(*args)


@pytest.fixture
def published(monkeypatch):
    monkeypatch.setattr(queue, "_executor", InlineExecutor())
    monkeypatch.setattr(queue, "_broker_down_until", 0.0)
    return []


def web_and_worker(tmp_path, published, monkeypatch, **config):
    """An app that sends to Redis for real, except that messages are recorded, not sent."""
    config = {"PIPELINE_WAKE_TTL_MS": WAKE_TTL_MS, **config}
    app = support.testing_app(
        tmp_path, TASKS_EAGER=False, CELERY_QUEUE=support.unique_name("wake_q"), **config
    )
    celery = app.extensions["celery"]
    monkeypatch.setattr(celery, "send_task", lambda name, args, **_: published.append(args[0]))
    return app


@pytest.fixture
def app(tmp_path, published, monkeypatch):
    if not support.port_open("127.0.0.1", 6379):
        support.unavailable("Redis is not answering on 127.0.0.1:6379")
    app = web_and_worker(tmp_path, published, monkeypatch, CELERY_BROKER_URL=support.REDIS_URL)
    with app.app_context():
        db.create_all()
        yield app
        flag = wake.wake_flag(app)
        flag.client.delete(flag.key)
        flag.client.close()
        db.session.remove()


def post(client, text: str) -> int:
    response = client.post("/api/v1/sites/blog/comments", json={"uri": "/post", "text": text})
    assert response.status_code == 202
    return response.get_json()["id"]


def run_task(comment_id: int) -> str | None:
    """What the worker does with a PROCESS_COMMENT message."""
    from workers import tasks

    return tasks.process_comment.run(comment_id)


def status_of(comment_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Comment, comment_id).status


def routed(comment_id: int) -> bool:
    """Left `received` (for `pending`, or `spam` once posts from one address look like a flood)."""
    return status_of(comment_id) != Status.RECEIVED


def renderer_with_a_bug(text: str) -> str:
    if "boom" in text:
        raise RuntimeError("renderer bug")
    return render_comment(text)


def routings_of(comment_id: int) -> int:
    return db.session.query(ModerationEvent).filter_by(comment_id=comment_id).count()


def waiting(site, make_comment, count: int, text: str = "Waiting comment") -> list[int]:
    return [
        make_comment(site, f"{text} {n}.", status=Status.RECEIVED, html="").id for n in range(count)
    ]


# --- the web's side ------------------------------------------------------------------------


def test_a_burst_publishes_one_message_until_a_worker_takes_it(app, client, site, published):
    first = post(client, "The first comment.")
    for n in range(4):
        post(client, f"Comment {n} while the wake-up waits.")
    assert published == [first]
    flag = wake.wake_flag(app)
    assert 0 < flag.client.pttl(flag.key) <= WAKE_TTL_MS

    assert queue.take_wake_up() is True  # the worker starts on the message
    later = post(client, "A comment after the worker lowered the flag.")
    assert published == [first, later]


def test_a_wake_up_that_never_arrives_holds_back_new_messages_only_until_it_expires(
    app, client, site, published
):
    app.config["PIPELINE_WAKE_TTL_MS"] = 100  # read when the flag is first used
    lost = post(client, "Its message is lost on the way.")
    post(client, "Posted while the flag stands.")
    time.sleep(0.2)
    after = post(client, "Posted after the flag expired.")
    assert published == [lost, after]


def test_a_failed_publish_lowers_the_flag_so_the_next_comment_tries_again(
    app, client, site, published, monkeypatch
):
    def broker_down(*_args, **_kwargs):
        raise ConnectionError("broker refused")

    monkeypatch.setattr(app.extensions["celery"], "send_task", broker_down)
    comment_id = post(client, "Posted while the broker refuses.")
    flag = wake.wake_flag(app)
    assert flag.client.exists(flag.key) == 0
    assert status_of(comment_id) == Status.RECEIVED  # committed: the sweep will send it


def test_an_unreachable_flag_means_a_message_for_every_comment(tmp_path, published, monkeypatch):
    from service.accounts import services as accounts

    dead_redis = f"redis://127.0.0.1:{support.free_port()}/0"
    app = web_and_worker(tmp_path, published, monkeypatch, CELERY_BROKER_URL=dead_redis)
    with app.app_context():
        db.create_all()
        accounts.create_site("blog", "Blog", [])
        client = app.test_client()
        started = time.monotonic()
        ids = [post(client, f"Comment {n} while Redis is away.") for n in range(3)]
        assert time.monotonic() - started < 3
        assert published == ids
        db.session.remove()


@pytest.mark.parametrize(
    "config",
    [
        {"CELERY_BROKER_URL": "sqla+sqlite://"},  # the embedded demo's broker
        {"CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//"},
        {"CELERY_BROKER_URL": support.REDIS_URL, "PIPELINE_WAKE_TTL_MS": 0},
    ],
)
def test_other_brokers_keep_one_message_per_comment(tmp_path, published, monkeypatch, config):
    app = web_and_worker(tmp_path, published, monkeypatch, **config)
    assert wake.wake_flag(app) is None
    with app.app_context():
        for comment_id in (1, 2, 3):
            queue.announce_new_comment(comment_id)
        assert published == [1, 2, 3]
        assert queue.take_wake_up() is False  # so a message takes its own batch only


def test_tasks_run_in_process_need_no_flag(tmp_path):
    app = support.testing_app(tmp_path, CELERY_BROKER_URL=support.REDIS_URL)
    assert app.config["TASKS_EAGER"] and wake.wake_flag(app) is None


# --- the worker's side: the races ------------------------------------------------------------


def test_a_comment_committed_before_the_worker_lowers_the_flag_is_routed_by_that_wake_up(
    app, client, site, published
):
    first = post(client, "The comment whose message wakes the worker.")
    second = post(client, "A comment with no message of its own.")
    assert published == [first]
    run_task(first)
    assert routed(first) and routed(second)
    assert (routings_of(first), routings_of(second)) == (1, 1)


def test_the_worker_lowers_the_flag_before_it_claims_anything(
    app, client, site, published, monkeypatch
):
    flag = wake.wake_flag(app)
    flag_at_claims = []
    claim = pipeline._claim_waiting

    def watched_claim(*args, **kwargs):
        flag_at_claims.append(flag.client.exists(flag.key))
        return claim(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_claim_waiting", watched_claim)
    first = post(client, "The comment whose message wakes the worker.")
    post(client, "Another one.")
    run_task(first)
    assert flag_at_claims and set(flag_at_claims) == {0}


def test_comments_posted_while_the_worker_gathers_publish_nothing_and_join_its_batch(
    app, client, site, published
):
    from concurrent.futures import ThreadPoolExecutor

    def worker_takes_the_wake_up() -> bool:
        with app.app_context():
            return queue.take_wake_up()

    app.config["PIPELINE_WAKE_GATHER_MS"] = 500
    first = post(client, "The comment whose message wakes the worker.")
    with ThreadPoolExecutor(max_workers=1) as worker:
        taking = worker.submit(worker_takes_the_wake_up)
        time.sleep(0.1)
        gathered = post(client, "Posted while the worker waits for company.")
        assert published == [first] and not taking.done()
        assert taking.result() is True
    flag = wake.wake_flag(app)
    assert flag.client.exists(flag.key) == 0  # lowered after the gathering, before the claim
    pipeline.process_comment(first, drain=True)
    assert routed(first) and routed(gathered)


def test_a_comment_committed_after_the_worker_lowered_the_flag_sends_its_own_wake_up(
    app, client, site, published
):
    first = post(client, "The comment whose message wakes the worker.")
    assert queue.take_wake_up()  # the worker has lowered the flag and not claimed yet
    late = post(client, "Committed between the lowering and the claim.")
    assert published == [first, late]
    pipeline.process_comment(first, drain=True)  # its claim sees the late comment too
    assert routed(late)
    assert run_task(late) is None  # the late comment's own wake-up finds it done
    assert (routings_of(first), routings_of(late)) == (1, 1)


def test_a_wake_up_routes_waiting_comments_in_batches_and_announces_the_rest(
    app, site, make_comment, published, monkeypatch
):
    app.config["PIPELINE_BATCH_SIZE"] = 3
    monkeypatch.setattr(pipeline, "MAX_DRAIN_BATCHES", 2)
    ids = waiting(site, make_comment, 8)
    assert pipeline.drain_waiting() == 6
    assert [status_of(i) for i in ids].count(Status.RECEIVED) == 2
    # After the first full batch more may wait: one wake-up (for another worker process,
    # or for this one once its other tasks had their turn), not one per batch.
    assert published == [ids[2]]
    assert queue.take_wake_up()
    assert pipeline.drain_waiting() == 2  # a short claim: nothing else waits
    assert published == [ids[2]]
    assert all(routings_of(i) == 1 for i in ids)


def test_a_message_that_finds_no_wake_up_announced_does_not_wait(app, site):
    app.config["PIPELINE_WAKE_GATHER_MS"] = 2000
    started = time.monotonic()
    assert queue.take_wake_up()  # a sweep's message, say: nobody waits for it
    assert time.monotonic() - started < 1


def test_a_comment_that_breaks_a_drained_batch_fails_alone_and_is_not_claimed_again(
    app, site, make_comment, monkeypatch
):
    monkeypatch.setattr(pipeline, "render_comment", renderer_with_a_bug)
    before = waiting(site, make_comment, 2, "Fine before")
    bad = make_comment(site, "boom", status=Status.RECEIVED, html="").id
    after = waiting(site, make_comment, 2, "Fine after")
    pipeline.drain_waiting()
    assert [status_of(i) for i in before + after] == [Status.PENDING] * 4
    assert (status_of(bad), db.session.get(Comment, bad).process_attempts) == (Status.RECEIVED, 1)
    assert pipeline.drain_waiting() == 0  # tried once: only its own (re-sent) message counts
    assert db.session.get(Comment, bad).process_attempts == 1
    for _ in range(pipeline.MAX_PROCESS_ATTEMPTS - 1):  # the sweep's re-sends, each counted
        with pytest.raises(RuntimeError):
            run_task(bad)
        db.session.rollback()
    assert run_task(bad) == Status.PENDING  # held for a moderator, as plain text
    assert db.session.get(Comment, bad).spam_reasons[0]["code"] == "processing_failed"


def test_a_wake_up_whose_own_comment_fails_still_routes_the_others(
    app, client, site, published, monkeypatch
):
    monkeypatch.setattr(pipeline, "render_comment", renderer_with_a_bug)
    bad = post(client, "boom")
    others = [post(client, f"A fine comment {n}.") for n in range(3)]
    assert published == [bad]
    with pytest.raises(RuntimeError):
        run_task(bad)
    db.session.rollback()
    assert all(routed(i) for i in others)
    assert status_of(bad) == Status.RECEIVED


def test_a_database_that_goes_away_mid_drain_fails_the_task_so_it_is_retried(
    app, site, make_comment, monkeypatch
):
    def database_gone(_comments):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    ids = waiting(site, make_comment, 3)
    monkeypatch.setattr(pipeline, "route_comments", database_gone)
    with pytest.raises(OperationalError):
        pipeline.drain_waiting()
    db.session.rollback()
    # Only the comment being tried when it failed has its start counted.
    assert [db.session.get(Comment, i).process_attempts for i in ids] == [1, 0, 0]
