"""The state machine and the pipeline the worker runs, on SQLite with in-process tasks."""

from unittest import mock

import pytest

from service.accounts.models import ModerationPolicy
from service.comments.models import Comment, Status
from service.extensions import db
from service.moderation import pipeline, services
from service.moderation.models import ModerationEvent


def events_of(comment):
    return db.session.query(ModerationEvent).filter_by(comment_id=comment.id).all()


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.PENDING, Status.APPROVED),
        (Status.PENDING, Status.REJECTED),
        (Status.PENDING, Status.SPAM),
        (Status.SPAM, Status.PENDING),
        (Status.SPAM, Status.APPROVED),
        (Status.APPROVED, Status.DELETED),
        (Status.RECEIVED, Status.SPAM),
    ],
)
def test_legal_transitions_change_status_and_write_an_event(site, make_comment, start, target):
    comment = make_comment(site, status=start)
    services.transition(comment, target, reason="because")
    db.session.commit()
    [event] = events_of(comment)
    assert (event.from_status, event.to_status, event.reason) == (start, target, "because")
    assert comment.status == target


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.PENDING, Status.RECEIVED),
        (Status.DELETED, Status.APPROVED),
        (Status.PENDING, Status.PENDING),
        (Status.APPROVED, Status.RECEIVED),
    ],
)
def test_illegal_transitions_are_refused_without_an_event(site, make_comment, start, target):
    comment = make_comment(site, status=start)
    with pytest.raises(services.IllegalTransition):
        services.transition(comment, target)
    assert comment.status == start
    assert events_of(comment) == []


def received(site, make_comment, text="A fine comment.", **fields):
    return make_comment(site, text, status=Status.RECEIVED, html="", **fields)


def test_pipeline_renders_scores_and_queues_for_a_moderator(site, make_comment):
    comment = received(site, make_comment, "Hello *there*")
    assert pipeline.process_comment(comment.id) == Status.PENDING
    assert comment.html == "<p>Hello <em>there</em></p>"
    assert comment.spam_score is not None
    [event] = events_of(comment)
    assert event.actor_id is None and event.to_status == Status.PENDING


def test_a_second_delivery_of_the_same_comment_does_nothing(site, make_comment):
    comment = received(site, make_comment)
    pipeline.process_comment(comment.id)
    assert pipeline.process_comment(comment.id) is None
    assert len(events_of(comment)) == 1


def test_a_missing_comment_id_is_ignored(app):
    assert pipeline.process_comment(123456) is None


def test_a_filled_honeypot_goes_to_spam(site, make_comment):
    comment = received(site, make_comment, signals={"honeypot_filled": True})
    assert pipeline.process_comment(comment.id) == Status.SPAM
    assert any(reason["code"] == "honeypot" for reason in comment.spam_reasons)


def test_by_default_even_a_clean_comment_waits_for_a_moderator(site, make_comment):
    comment = received(site, make_comment, "Thanks, this was useful.")
    assert pipeline.process_comment(comment.id) == Status.PENDING


def test_sites_may_opt_in_to_auto_approving_low_scores(site, make_comment):
    site.moderation_policy = ModerationPolicy.AUTO_APPROVE_LOW_SCORE
    site.approve_below = 0.99
    comment = received(site, make_comment, "Thanks, this was useful.")
    assert pipeline.process_comment(comment.id) == Status.APPROVED


def test_every_reason_is_stored_in_plain_words(site, make_comment):
    comment = received(
        site, make_comment, "buy http://a.example.com http://b.example.com http://c.example.com"
    )
    pipeline.process_comment(comment.id)
    assert comment.spam_reasons
    for reason in comment.spam_reasons:
        assert set(reason) >= {"code", "weight", "detail"}
        assert len(reason["detail"]) > 10


def test_stuck_comments_are_resent_and_processed(app, site, make_comment):
    app.config["STUCK_AFTER_SECONDS"] = 0
    comment = received(site, make_comment)
    assert services.resend_stuck_comments() == [comment.id]
    assert db.session.get(Comment, comment.id).status == Status.PENDING
    assert services.resend_stuck_comments() == []


def test_a_stuck_comment_is_resent_once_per_interval_not_on_every_sweep(app, site, make_comment):
    app.config["STUCK_AFTER_SECONDS"] = 0
    app.config["TASKS_EAGER"] = False  # nothing consumes: the comment stays stuck
    comment = received(site, make_comment)
    with mock.patch("service.queue._publish", return_value=True) as publish:
        assert services.resend_stuck_comments() == [comment.id]
        app.config["STUCK_AFTER_SECONDS"] = 60
        assert services.resend_stuck_comments() == []
    assert publish.call_count == 1
    assert db.session.get(Comment, comment.id).queued_at is not None


def trust(site, email, verified=True):
    from service.moderation.models import TrustedAuthor
    from service.timeutil import utcnow

    db.session.add(
        TrustedAuthor(site_id=site.id, email=email, verified_at=utcnow() if verified else None)
    )
    db.session.commit()


def test_a_verified_trusted_author_skips_the_queue(site, make_comment):
    trust(site, "regular@example.net")
    comment = received(site, make_comment, "Thanks, this was useful.", email="regular@example.net")
    assert pipeline.process_comment(comment.id) == Status.APPROVED


def test_an_unverified_trusted_author_still_waits(site, make_comment):
    trust(site, "regular@example.net", verified=False)
    comment = received(site, make_comment, "Thanks, this was useful.", email="regular@example.net")
    assert pipeline.process_comment(comment.id) == Status.PENDING


def test_trust_never_lets_spam_through(site, make_comment):
    trust(site, "regular@example.net")
    comment = received(
        site, make_comment, email="regular@example.net", signals={"honeypot_filled": True}
    )
    assert pipeline.process_comment(comment.id) == Status.SPAM


def test_a_comment_that_keeps_failing_is_held_as_plain_text_not_resent_for_ever(
    site, make_comment, monkeypatch
):

    comment = make_comment(site, "Hello <b>there</b>\n\n*second*", status=Status.RECEIVED, html="")

    def broken_renderer(text):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(pipeline, "render_comment", broken_renderer)
    for _ in range(pipeline.MAX_PROCESS_ATTEMPTS):
        with pytest.raises(RuntimeError):
            pipeline.process_comment(comment.id)
        db.session.rollback()
    assert db.session.get(Comment, comment.id).status == Status.RECEIVED
    assert pipeline.process_comment(comment.id) == Status.PENDING
    held = db.session.get(Comment, comment.id)
    assert held.html == "<p>Hello &lt;b&gt;there&lt;/b&gt;</p><p>*second*</p>"
    [reason] = held.spam_reasons
    assert reason["code"] == "processing_failed" and "10 times" in reason["detail"]
    # A later delivery finds it processed and does nothing.
    assert pipeline.process_comment(comment.id) is None
