"""Follow-up tasks the broker refuses are parked in the database and re-sent by the sweep."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service import queue
from service.extensions import db
from tests import support

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def offline_app(tmp_path, monkeypatch):
    """Tasks really sent (not eager) to a broker that is down; a file database."""
    monkeypatch.setattr(queue, "_broker_down_until", 0.0)
    app = support.testing_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'parked.db'}",
        TASKS_EAGER=False,
        CELERY_BROKER_URL=UNREACHABLE_BROKER,
    )
    # Fail at once instead of kombu's default reconnect attempts (about 6 s a send).
    app.extensions["celery"].conf.broker_transport_options = {"max_retries": 0}
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()


def parked():
    return [(t.task_name, t.args) for t in db.session.scalars(select(queue.ParkedTask))]


def test_a_follow_up_the_broker_refuses_is_parked_and_sent_once_it_is_back(
    offline_app, monkeypatch
):
    assert queue.send(queue.NOTIFY_NEW_COMMENT, 7) is False
    assert queue.send(queue.DELIVER_WEBHOOK, 1, "comment.new", 7) is False
    assert parked() == [
        (queue.NOTIFY_NEW_COMMENT, [7]),
        (queue.DELIVER_WEBHOOK, [1, "comment.new", 7]),
    ]
    # The broker is back.
    sent = []
    celery = offline_app.extensions["celery"]
    monkeypatch.setattr(celery, "send_task", lambda name, args, **_: sent.append((name, args)))
    monkeypatch.setattr(queue, "_broker_down_until", 0.0)
    assert queue.resend_parked() == 2
    assert sent == [
        (queue.NOTIFY_NEW_COMMENT, (7,)),
        (queue.DELIVER_WEBHOOK, (1, "comment.new", 7)),
    ]
    assert parked() == []
    assert queue.resend_parked() == 0


def test_comments_are_not_parked_the_sweep_finds_them_by_status(offline_app):
    assert queue.send(queue.PROCESS_COMMENT, 3) is False
    assert parked() == []


def test_parked_tasks_wait_while_the_broker_is_still_down(offline_app):
    queue.send(queue.NOTIFY_NEW_COMMENT, 7)
    queue._broker_down_until = 0.0
    assert queue.resend_parked() == 0
    assert parked() == [(queue.NOTIFY_NEW_COMMENT, [7])]


def test_the_sweep_task_also_resends_parked_tasks(offline_app, monkeypatch):
    from workers import tasks

    queue.send(queue.NOTIFY_NEW_COMMENT, 7)
    sent = []
    celery = offline_app.extensions["celery"]
    monkeypatch.setattr(celery, "send_task", lambda name, args, **_: sent.append((name, args)))
    monkeypatch.setattr(queue, "_broker_down_until", 0.0)
    assert tasks.resend_stuck_comments.run() == 1
    assert sent == [(queue.NOTIFY_NEW_COMMENT, (7,))]


def test_a_moderator_decision_while_the_broker_is_down_keeps_its_webhook(offline_app, monkeypatch):
    from service.accounts import services as accounts
    from service.comments.models import Comment, Status, Thread
    from service.moderation import services as moderation
    from service.notifications import webhooks

    site = accounts.create_site("blog", "Blog", ["https://blog.example"])
    monkeypatch.setattr(webhooks, "webhook_config", lambda site: ("https://hooks.example/", "s"))
    thread = Thread(site_id=site.id, uri="/post", title="Post")
    db.session.add(thread)
    db.session.flush()
    comment = Comment(site_id=site.id, thread_id=thread.id, text="Hi", html="<p>Hi</p>")
    comment.status = Status.PENDING
    db.session.add(comment)
    db.session.commit()
    moderator = accounts.get_or_create_moderator("mod@example.org")
    moderation.moderate(comment, Status.APPROVED, moderator)
    names = [name for name, _ in parked()]
    assert queue.DELIVER_WEBHOOK in names and "talkback.learn_from_decision" in names
    assert db.session.get(Comment, comment.id).status == Status.APPROVED


def test_the_embedded_broker_forgets_delivered_messages(tmp_path, monkeypatch):
    from datetime import datetime, timedelta

    from sqlalchemy import create_engine, text

    broker_file = tmp_path / "broker.db"
    app = support.testing_app(
        tmp_path, TASKS_EAGER=False, CELERY_BROKER_URL=f"sqla+sqlite:///{broker_file}"
    )
    monkeypatch.setattr(queue, "_broker_down_until", 0.0)
    with app.app_context():
        assert queue.prune_embedded_broker() == 0  # no table yet
        for comment_id in (1, 2, 3):
            assert queue.send(queue.PROCESS_COMMENT, comment_id)
        engine = create_engine(f"sqlite:///{broker_file}")
        with engine.begin() as connection:
            # What a worker's fetch leaves behind: invisible, stamped with local time.
            two_hours_ago = datetime.now() - timedelta(hours=2)  # noqa: DTZ005
            connection.execute(
                text("UPDATE kombu_message SET visible = 0, timestamp = :t WHERE id <= 2"),
                {"t": two_hours_ago},
            )
        assert queue.prune_embedded_broker() == 2
        with engine.begin() as connection:
            left = connection.execute(text("SELECT count(*) FROM kombu_message")).scalar()
        assert left == 1  # the undelivered message stays
        engine.dispose()
