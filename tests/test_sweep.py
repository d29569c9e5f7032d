"""The sweep re-sends only comments whose message is really gone, each from one sweep only."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from service import queue
from service.accounts import services as accounts
from service.comments.models import Comment, Status, Thread
from service.extensions import db
from service.moderation import services as moderation
from service.queue import contents
from service.queue.contents import QueueSnapshot, comments_to_resend
from tests import support


def test_comments_with_a_message_in_the_broker_are_left_waiting():
    held = QueueSnapshot(depth=5, held=frozenset({2, 3}))
    assert comments_to_resend([1, 2, 3, 4], held) == [1, 4]


def test_with_wake_ups_a_message_held_or_one_sent_covers_the_comments_never_tried():
    held = QueueSnapshot(depth=1, held=frozenset({9}))
    assert comments_to_resend([1, 2, 3, 4], held, drained_by_any=[1, 3]) == [2, 4]
    nothing_held = QueueSnapshot(depth=0, held=frozenset())
    assert comments_to_resend([1, 2, 3, 4], nothing_held, drained_by_any=[1, 3]) == [1, 2, 4]


def test_without_a_view_of_the_messages_stuck_comments_wait_for_the_backlog_to_drain():
    assert comments_to_resend([1, 2], QueueSnapshot(depth=40)) == []
    assert comments_to_resend([1, 2], QueueSnapshot(depth=0)) == [1, 2]
    assert comments_to_resend([1, 2], QueueSnapshot(depth=None)) == []


def test_queued_sweeps_expire_instead_of_running_all_at_once(tmp_path):
    app = support.testing_app(tmp_path, SWEEP_INTERVAL_SECONDS=30)
    entry = app.extensions["celery"].conf.beat_schedule["resend-stuck-comments"]
    assert entry["options"]["expires"] == 30.0


@pytest.fixture
def redis_app(tmp_path):
    if not support.port_open("127.0.0.1", 6379):
        support.unavailable("Redis is not answering on 127.0.0.1:6379")
    app = support.testing_app(
        tmp_path,
        TASKS_EAGER=False,
        CELERY_BROKER_URL=support.REDIS_URL,
        CELERY_QUEUE=support.unique_name("sweep_q"),
    )
    celery = app.extensions["celery"]
    yield app, celery
    with celery.connection_for_write() as connection:
        connection.default_channel.client.delete(app.config["CELERY_QUEUE"])


def test_redis_messages_waiting_or_freshly_taken_count_as_held(redis_app):
    app, celery = redis_app
    name = app.config["CELERY_QUEUE"]
    for comment_id in (11, 12):
        celery.send_task(queue.PROCESS_COMMENT, args=(comment_id,), queue=name)
    celery.send_task(queue.NOTIFY_NEW_COMMENT, args=(13,), queue=name)
    snapshot = contents.snapshot(celery, name, queue.PROCESS_COMMENT, stuck_after=60)
    assert snapshot.depth == 3
    assert snapshot.held == {11, 12}

    # A worker takes 11 and does not acknowledge it (prefetched, or waiting for a retry).
    with celery.connection_for_read() as connection:
        taken = connection.SimpleQueue(name, no_ack=False).get(timeout=5)
        assert taken.payload[0] == [11]
        held = contents.snapshot(celery, name, queue.PROCESS_COMMENT, stuck_after=60)
        assert held.held == {11, 12}
        # Taken longer ago than the stuck threshold: its worker is presumed gone.
        stale = contents.snapshot(celery, name, queue.PROCESS_COMMENT, stuck_after=-1)
        assert stale.held == {12}
        taken.ack()


def test_an_unreachable_broker_is_an_unknown_depth(tmp_path):
    app = support.testing_app(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    celery = app.extensions["celery"]
    celery.conf.broker_transport_options = {"max_retries": 0}
    assert contents.snapshot(celery, "q", queue.PROCESS_COMMENT, 60) == QueueSnapshot(None)


@pytest.mark.integration
def test_a_row_locked_by_another_sweep_or_the_worker_is_skipped(tmp_path, monkeypatch):
    with support.pg_database("talkback_sweep") as url:
        app = support.testing_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, STUCK_AFTER_SECONDS=0)
        sent = []
        monkeypatch.setattr(queue, "send", lambda name, *args: sent.append(args[0]) or True)
        with app.app_context():
            db.create_all()
            site = accounts.create_site("blog", "Blog", [])
            thread = Thread(site_id=site.id, uri="/p", title="P")
            db.session.add(thread)
            db.session.flush()
            ids = []
            for text_ in ("one", "two"):
                comment = Comment(site_id=site.id, thread_id=thread.id, text=text_)
                db.session.add(comment)
                db.session.flush()
                ids.append(comment.id)
            db.session.commit()
            other = create_engine(url)
            try:
                with Session(other) as claimer:
                    claimer.execute(
                        select(Comment.id).where(Comment.id == ids[0]).with_for_update()
                    ).all()
                    assert moderation.resend_stuck_comments() == [ids[1]]
                    claimer.execute(
                        update(Comment).where(Comment.id == ids[0]).values(status=Status.PENDING)
                    )
                    claimer.commit()
            finally:
                other.dispose()
            assert sent == [ids[1]]
            db.session.remove()
            db.engine.dispose()


def stuck_comments(site_id: int, *attempts: int) -> list[Comment]:
    thread = db.session.query(Thread).filter_by(site_id=site_id, uri="/p").one_or_none()
    if thread is None:
        thread = Thread(site_id=site_id, uri="/p", title="P")
        db.session.add(thread)
        db.session.flush()
    comments = [
        Comment(site_id=site_id, thread_id=thread.id, text=f"text {n}", process_attempts=tries)
        for n, tries in enumerate(attempts)
    ]
    db.session.add_all(comments)
    db.session.commit()
    return comments


def test_the_sweep_resends_the_lost_comment_not_the_one_waiting_in_the_queue(
    redis_app, monkeypatch
):
    app, celery = redis_app
    app.config["STUCK_AFTER_SECONDS"] = 0
    app.config["PIPELINE_WAKE_TTL_MS"] = 0  # one message per comment
    with app.app_context():
        db.create_all()
        site = accounts.create_site("blog", "Blog", [])
        waiting, lost = stuck_comments(site.id, 0, 0)
        # `waiting` still has its message in the queue, behind a backlog; `lost` has none.
        celery.send_task(
            queue.PROCESS_COMMENT, args=(waiting.id,), queue=app.config["CELERY_QUEUE"]
        )
        sent = []
        monkeypatch.setattr(queue, "send", lambda name, *args: sent.append(args[0]) or True)
        assert moderation.resend_stuck_comments() == [lost.id]
        assert sent == [lost.id]
        db.session.remove()


def test_with_wake_ups_one_message_covers_every_comment_never_tried(redis_app, monkeypatch):
    app, celery = redis_app
    app.config["STUCK_AFTER_SECONDS"] = 0
    with app.app_context():
        db.create_all()
        site = accounts.create_site("blog", "Blog", [])
        sent = []
        monkeypatch.setattr(queue, "send", lambda name, *args: sent.append(args[0]) or True)
        # Nothing held: the first comment never tried is sent again (its message routes the
        # others never tried), and each one whose processing failed.
        never_tried, failed_once, also_never_tried = stuck_comments(site.id, 0, 1, 0)
        assert moderation.resend_stuck_comments() == [never_tried.id, failed_once.id]
        # A wake-up held in the queue routes every comment never tried, so only the one
        # whose processing failed needs a message of its own (its attempts are counted).
        woken = stuck_comments(site.id, 0)[0]
        celery.send_task(queue.PROCESS_COMMENT, args=(woken.id,), queue=app.config["CELERY_QUEUE"])
        sent.clear()
        assert moderation.resend_stuck_comments() == [failed_once.id]
        assert sent == [failed_once.id]
        db.session.remove()
