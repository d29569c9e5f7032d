"""The worker routes waiting comments in batches, with every per-comment guarantee kept."""

from __future__ import annotations

import pytest

from service.comments.models import Comment, Status
from service.extensions import db
from service.moderation import pipeline
from service.moderation.models import ModerationEvent
from service.moderation.sanitise import render_comment


def received(site, make_comment, text):
    return make_comment(site, text, status=Status.RECEIVED, html="")


def events_of(comment_id):
    return db.session.query(ModerationEvent).filter_by(comment_id=comment_id).all()


def status_of(comment_id):
    db.session.expire_all()
    return db.session.get(Comment, comment_id).status


def test_one_task_routes_every_waiting_comment_and_their_own_tasks_then_do_nothing(
    site, make_comment
):
    ids = [received(site, make_comment, f"Comment number {i} says hello.").id for i in range(5)]
    assert pipeline.process_comment(ids[2]) == Status.PENDING
    assert [status_of(i) for i in ids] == [Status.PENDING] * 5
    assert [len(events_of(i)) for i in ids] == [1] * 5
    assert [pipeline.process_comment(i) for i in ids] == [None] * 5
    assert [len(events_of(i)) for i in ids] == [1] * 5


def test_a_batch_is_scored_like_comments_one_by_one(site, make_site, make_comment, app):
    texts = ["Buy cheap pills at http://spam.example now", "Thanks, a fine post.", "same text"]
    batched = [received(site, make_comment, text).id for text in [*texts, "same text"]]
    pipeline.process_comment(batched[0])
    app.config["PIPELINE_BATCH_SIZE"] = 1
    other_site = make_site("other")  # the same texts, without the first site's as duplicates
    alone = [received(other_site, make_comment, text).id for text in [*texts, "same text"]]
    for comment_id in alone:
        pipeline.process_comment(comment_id)
    scored = {cid: db.session.get(Comment, cid) for cid in batched + alone}
    for one, other in zip(batched, alone, strict=True):
        codes = [reason["code"] for reason in scored[one].spam_reasons]
        assert codes == [reason["code"] for reason in scored[other].spam_reasons]
        assert scored[one].spam_score == pytest.approx(scored[other].spam_score, abs=1e-6)
    # The duplicate gate saw the earlier copy inside the batch too.
    assert "duplicate" in [reason["code"] for reason in scored[batched[3]].spam_reasons]


def test_a_comment_that_breaks_a_batch_never_counts_against_its_neighbours(
    site, make_comment, monkeypatch
):
    def renderer_with_a_bug(text):
        if "boom" in text:
            raise RuntimeError("renderer bug")
        return render_comment(text)

    monkeypatch.setattr(pipeline, "render_comment", renderer_with_a_bug)
    first = received(site, make_comment, "A fine comment.").id
    bad = received(site, make_comment, "boom").id
    last = received(site, make_comment, "Another fine comment.").id

    # The batch fails on `bad`: nothing of it is kept, and `first` is processed alone.
    assert pipeline.process_comment(first) == Status.PENDING
    assert (status_of(bad), status_of(last)) == (Status.RECEIVED, Status.RECEIVED)
    assert pipeline.process_comment(last) == Status.PENDING
    # Only its own tasks count against the broken comment, and it never joins a batch again.
    with pytest.raises(RuntimeError):
        pipeline.process_comment(bad)
    db.session.rollback()
    assert db.session.get(Comment, bad).process_attempts == 1
    assert [db.session.get(Comment, i).process_attempts for i in (first, last)] == [1, 1]
    later = received(site, make_comment, "A comment after the broken one.").id
    assert pipeline.process_comment(later) == Status.PENDING
    assert status_of(bad) == Status.RECEIVED
