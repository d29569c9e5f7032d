"""Scoring inside the pipeline, the threshold policy, and learning from moderators' decisions."""

import logging
from datetime import timedelta

import pytest

from service.accounts.models import ModerationPolicy
from service.comments.models import Comment, Status
from service.extensions import db
from service.moderation import pipeline
from service.moderation.models import SiteRule
from service.spam import learning as spam_learning
from service.spam import model as spam_model
from service.spam import storage as spam_storage
from service.timeutil import utcnow
from tests import spam_corpus


def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tiny_model(app, tmp_path):
    """A base model trained on the made-up corpus, used instead of the shipped one."""
    path = tmp_path / "base.joblib"
    data = spam_corpus.rows()
    model = spam_model.train([t for t, _, _ in data], [label for _, label, _ in data])
    spam_storage.save(model, path)
    app.config["SPAM_BASE_MODEL"] = str(path)
    return path


@pytest.fixture
def warnings_of_learning(caplog):
    """The learning module's warnings, even after Alembic's fileConfig disabled old loggers."""
    logger = logging.getLogger(spam_learning.__name__)
    logger.disabled = False
    with caplog.at_level(logging.WARNING, logger=logger.name):
        yield caplog


@pytest.fixture
def no_model(app, tmp_path):
    app.config["SPAM_BASE_MODEL"] = str(tmp_path / "absent.joblib")


def received(site, make_comment, text="A fine comment.", **fields):
    return make_comment(site, text, status=Status.RECEIVED, html="", **fields)


def reason_codes(comment):
    return {reason["code"] for reason in comment.spam_reasons}


# --- scoring in the pipeline ----------------------------------------------------------------


def test_the_model_adds_its_own_reason_in_plain_words(site, make_comment, tiny_model):
    comment = received(site, make_comment, "Win a free iPhone now, click http://w.example.net")
    pipeline.process_comment(comment.id)
    [model_reason] = [r for r in comment.spam_reasons if r["code"] == "model"]
    assert model_reason["weight"] > 0.5
    assert model_reason["detail"].startswith("The text resembles spam the filter has learned")
    assert "The most similar comment it has learned from (" in model_reason["detail"]


def test_a_missing_model_file_leaves_the_gates_in_charge_and_warns(
    site, make_comment, no_model, warnings_of_learning
):
    comment = received(site, make_comment, signals={"honeypot_filled": True})
    assert pipeline.process_comment(comment.id) == Status.SPAM
    assert reason_codes(comment) == {"honeypot", "lesson"}
    assert "scoring with gates only" in warnings_of_learning.text


def test_a_corrupt_model_file_leaves_the_gates_in_charge_and_warns(
    site, make_comment, tiny_model, warnings_of_learning
):
    models = spam_learning.site_models(site.slug)
    models.publish(spam_storage.load(tiny_model))
    models.current_path().write_bytes(b"this is not a model")
    comment = received(site, make_comment, "Thanks for this.")
    assert pipeline.process_comment(comment.id) == Status.PENDING
    assert "model" not in reason_codes(comment)
    assert "unreadable" in warnings_of_learning.text


def test_a_site_block_rule_sends_the_comment_to_spam(site, make_comment, no_model):
    db.session.add(SiteRule(site_id=site.id, kind="domain", pattern="spam.example"))
    db.session.commit()
    comment = received(site, make_comment, "visit https://shop.spam.example")
    assert pipeline.process_comment(comment.id) == Status.SPAM
    [rule] = [r for r in comment.spam_reasons if r["code"] == "site_rule"]
    assert "spam.example" in rule["detail"]


def test_rules_of_another_site_do_not_apply(site, make_site, make_comment, no_model):
    other = make_site("other")
    db.session.add(SiteRule(site_id=other.id, kind="word", pattern="casino"))
    db.session.commit()
    comment = received(site, make_comment, "I won at the casino")
    pipeline.process_comment(comment.id)
    assert "site_rule" not in reason_codes(comment)


def test_the_old_blocked_words_setting_still_blocks(site, make_comment, no_model):
    site.settings = {"blocked_words": ["Casino"]}
    db.session.commit()
    comment = received(site, make_comment, "best casino bonus")
    assert pipeline.process_comment(comment.id) == Status.SPAM


def test_a_flood_from_one_address_is_noticed(site, make_comment, no_model):
    for n in range(3):
        make_comment(site, f"comment {n}", email="bot@flood.example")
    comment = received(site, make_comment, "one more", email="BOT@flood.example")
    pipeline.process_comment(comment.id)
    assert "flood_email" in reason_codes(comment)


def test_comments_from_an_hour_ago_are_not_a_flood(site, make_comment, no_model):
    an_hour_ago = utcnow() - timedelta(hours=1)
    for n in range(6):
        make_comment(site, f"comment {n}", ip="198.51.100.0", created_at=an_hour_ago)
    comment = received(site, make_comment, "hello", ip="198.51.100.0")
    pipeline.process_comment(comment.id)
    assert not reason_codes(comment) & {"flood_network", "flood_email"}


def test_a_duplicate_of_a_recent_comment_on_the_site_is_noticed(site, make_comment, no_model):
    make_comment(site, "Visit my blog for the best deals on shoes and bags!", uri="/a")
    comment = received(site, make_comment, "visit my blog for the best deals on shoes and bags")
    pipeline.process_comment(comment.id)
    assert "duplicate" in reason_codes(comment)


def test_a_form_sent_too_fast_is_noticed(app, site, make_comment, no_model):
    app.config["FORM_MIN_SECONDS"] = 3
    signals = {"form_token": "valid", "form_age_seconds": 0.5}
    comment = received(site, make_comment, signals=signals)
    pipeline.process_comment(comment.id)
    assert "too_fast" in reason_codes(comment)


def test_the_queue_api_shows_every_reason_in_plain_words(
    client, site, make_comment, make_moderator, tiny_model
):
    _, token = make_moderator(site)
    comment = received(
        site, make_comment, "Check out my channel http://a.example.com http://b.example.com"
    )
    pipeline.process_comment(comment.id)
    queue = f"/api/v1/sites/blog/queue?status={comment.status}"
    [entry] = client.get(queue, headers=auth(token)).get_json()["comments"]
    assert {r["code"] for r in entry["spam_reasons"]} >= {"many_links", "model"}
    assert all(len(r["detail"]) > 15 and r["detail"].endswith(".") for r in entry["spam_reasons"])


# --- the threshold policy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "score", "expected"),
    [
        (ModerationPolicy.HOLD_ALL, 0.0, Status.PENDING),
        (ModerationPolicy.HOLD_ALL, 0.5, Status.PENDING),
        (ModerationPolicy.HOLD_ALL, 0.9, Status.SPAM),
        (ModerationPolicy.AUTO_APPROVE_LOW_SCORE, 0.19, Status.APPROVED),
        (ModerationPolicy.AUTO_APPROVE_LOW_SCORE, 0.2, Status.PENDING),
        (ModerationPolicy.AUTO_APPROVE_LOW_SCORE, 0.95, Status.SPAM),
        (ModerationPolicy.POST_MODERATION, 0.5, Status.APPROVED),
        (ModerationPolicy.POST_MODERATION, 0.9, Status.SPAM),
    ],
)
def test_the_threshold_policy(make_site, policy, score, expected):
    site = make_site("policy", moderation_policy=policy)
    assert pipeline.decide_status(site, score) == expected


def test_thresholds_are_per_site(make_site):
    strict = make_site(
        "strict", moderation_policy=ModerationPolicy.AUTO_APPROVE_LOW_SCORE, spam_at=0.6
    )
    assert pipeline.decide_status(strict, 0.65) == Status.SPAM
    strict.approve_below = 0.05
    assert pipeline.decide_status(strict, 0.1) == Status.PENDING


# --- learning from moderators ------------------------------------------------------------------


def decided(comment, label):
    """Put the comment where a moderator's decision would, then run the learning task."""
    comment.status = Status.SPAM if label == "spam" else Status.APPROVED
    db.session.commit()
    return spam_learning.learn_from_decision(comment.id, label)


def site_copy(site):
    models = spam_learning.site_models(site.slug)
    return models, spam_storage.load(models.current_path())


def test_approving_teaches_the_site_model_that_the_comment_is_ham(
    client, site, make_comment, make_moderator, tiny_model
):
    _, token = make_moderator(site)
    comment = make_comment(site, "Win a free iPhone now, click to claim your prize")
    before = spam_storage.load(tiny_model).probability(comment.text)
    response = client.post(f"/api/v1/comments/{comment.id}/approve", headers=auth(token))
    assert response.status_code == 200
    models, learned = site_copy(site)
    assert models.current_version() == 1
    assert learned.learned == {comment.id: "ham"}
    assert learned.probability(comment.text) < before


def test_marking_spam_teaches_spam_and_a_plain_reject_teaches_nothing(
    client, site, make_comment, make_moderator, tiny_model
):
    _, token = make_moderator(site)
    rude = make_comment(site, "You are all idiots")
    client.post(f"/api/v1/comments/{rude.id}/reject", headers=auth(token))
    assert spam_learning.site_models(site.slug).current_version() is None
    junk = make_comment(site, "I really liked the part about gardening, buy followers here")
    client.post(f"/api/v1/comments/{junk.id}/spam", headers=auth(token))
    assert site_copy(site)[1].learned == {junk.id: "spam"}


def test_moving_a_comment_out_of_spam_teaches_ham(
    client, site, make_comment, make_moderator, tiny_model
):
    _, token = make_moderator(site)
    comment = make_comment(site, "Subscribe to the newsletter, it is good", status=Status.SPAM)
    client.post(f"/api/v1/comments/{comment.id}/ham", headers=auth(token))
    assert site_copy(site)[1].learned == {comment.id: "ham"}


def test_learning_the_same_decision_twice_does_nothing(site, make_comment, tiny_model):
    comment = make_comment(site, "Check out my channel")
    assert decided(comment, "spam") == "v1"
    assert spam_learning.learn_from_decision(comment.id, "spam") == "already_learned"
    # A moderator who changes their mind is heard, though.
    assert decided(comment, "ham") == "v2"
    # ...and the remembered example now carries the new label, once, not both.
    memory = site_copy(site)[1].memory
    assert list(memory.labels[memory.keys == comment.id]) == [0]


def test_one_spam_decision_catches_the_next_copy_of_that_text(
    client, site, make_comment, make_moderator, tiny_model
):
    # The linear model moves little after one partial_fit step; the remembered example
    # makes the very next copy of a text the moderators marked spam score as spam.
    _, token = make_moderator(site)
    text = "I really liked the part about gardening, my cousin sells plants cheap"
    first = make_comment(site, text)
    assert spam_storage.load(tiny_model).probability(text) < 0.5
    client.post(f"/api/v1/comments/{first.id}/spam", headers=auth(token))
    again = received(site, make_comment, text)
    pipeline.process_comment(again.id)
    [model_reason] = [r for r in again.spam_reasons if r["code"] == "model"]
    assert model_reason["weight"] >= 0.5
    assert "(100% alike in wording) was spam." in model_reason["detail"]


def test_a_worker_keeps_one_loaded_model_per_site_not_one_per_version(
    site, make_comment, tiny_model
):
    for n in range(3):
        decided(make_comment(site, f"Check out my channel number {n}"), "spam")
        spam_learning.model_verdict(site.slug, "anything at all")
    directory = spam_learning.site_models(site.slug).directory
    cached = [key for key in spam_learning._cache if key == directory]
    assert len(cached) == 1
    assert spam_learning._cache[directory][0].name == "v3.joblib"


def test_the_model_cache_keeps_only_the_most_recently_used_sites(
    monkeypatch, make_site, make_comment, tiny_model
):
    monkeypatch.setattr(spam_learning, "MODEL_CACHE_SIZE", 2)
    sites = [make_site(f"cached-{n}") for n in range(3)]
    for site in sites:
        decided(make_comment(site, "Check out my channel"), "spam")
        spam_learning.model_verdict(site.slug, "anything")
    cached = {spam_learning.site_models(site.slug).directory: site for site in sites}
    assert [cached[key].slug for key in spam_learning._cache if key in cached] == [
        "cached-1",
        "cached-2",
    ]


def test_learning_without_any_model_warns_and_keeps_the_decision(
    client, site, make_comment, make_moderator, no_model, warnings_of_learning
):
    _, token = make_moderator(site)
    comment = make_comment(site, "fine")
    response = client.post(f"/api/v1/comments/{comment.id}/approve", headers=auth(token))
    assert response.status_code == 200
    assert db.session.get(Comment, comment.id).status == Status.APPROVED
    assert "cannot learn" in warnings_of_learning.text


def test_a_bad_update_can_be_rolled_back(site, make_comment, tiny_model):
    first = make_comment(site, "Check out my channel")
    second = make_comment(site, "Lovely photos")
    decided(first, "spam")
    decided(second, "ham")
    assert spam_learning.rollback(site.slug) == 1
    models, model = site_copy(site)
    assert model.learned == {first.id: "spam"}
    # The next lesson builds on the version in use and gets a fresh number.
    spam_learning.learn_from_decision(second.id, "ham")
    assert models.current_version() == 3
    # Rolling that back returns to v1, what v3 was built on, never to the abandoned v2.
    assert spam_learning.rollback(site.slug) == 1
    assert site_copy(site)[1].learned == {first.id: "spam"}
    with pytest.raises(spam_model.ModelUnavailable, match="no older version"):
        spam_learning.rollback(site.slug)


def test_a_lesson_delivered_after_a_later_decision_is_not_learned(site, make_comment, tiny_model):
    # approve (ham), then spam; the ham task is redelivered last (acks_late, a retry).
    comment = make_comment(site, "Check out my channel")
    assert decided(comment, "ham") == "v1"
    assert decided(comment, "spam") == "v2"
    assert spam_learning.learn_from_decision(comment.id, "ham") == "superseded"
    # ...and the other way round: spam, then "not spam" back to the queue.
    other = make_comment(site, "Lovely photos of the lake")
    assert decided(other, "spam") == "v3"
    other.status = Status.PENDING
    db.session.commit()
    assert spam_learning.learn_from_decision(other.id, "ham") == "v4"
    assert spam_learning.learn_from_decision(other.id, "spam") == "superseded"
    assert site_copy(site)[1].learned == {comment.id: "spam", other.id: "ham"}


def test_a_spam_lesson_still_counts_after_the_comment_is_deleted_or_rejected(
    site, make_comment, tiny_model
):
    for n, later in enumerate((Status.DELETED, Status.REJECTED)):
        comment = make_comment(site, f"Cheap pills at pills.example number {n}")
        comment.status = later  # marked spam, then cleaned away before the task ran
        db.session.commit()
        assert spam_learning.learn_from_decision(comment.id, "spam") == f"v{n + 1}"


def test_pruning_keeps_the_version_a_rollback_returns_to(site, make_comment, tiny_model):
    comment = make_comment(site, "Check out my channel")
    decided(comment, "spam")  # v1
    for n in range(spam_storage.KEEP_VERSIONS):
        decided(comment, "ham" if n % 2 == 0 else "spam")
    models = spam_learning.site_models(site.slug)
    oldest_kept = models.versions()[0]
    models._point_to(oldest_kept)  # rolled back as far as the kept versions go
    decided(make_comment(site, "Lovely photos"), "ham")  # a new lesson built on it
    assert oldest_kept in models.versions()
    assert spam_learning.rollback(site.slug) == oldest_kept


def test_words_edited_after_the_decision_are_not_learned_under_it(
    client, site, make_comment, make_moderator, tiny_model
):
    _, token = make_moderator(site)
    comment = make_comment(site, "Lovely photos of the lake")
    client.post(f"/api/v1/comments/{comment.id}/approve", headers=auth(token))
    assert site_copy(site)[0].current_version() == 1
    # The author swaps the words inside the edit window; a late copy of the task arrives.
    comment.replace_text("Cheap pills at pills.example, follow the link")
    db.session.commit()
    assert spam_learning.learn_from_decision(comment.id, "ham") == "superseded"
    assert site_copy(site)[0].current_version() == 1


def test_a_damaged_pointer_file_uses_the_newest_version_with_a_warning(
    site, make_comment, tiny_model, caplog
):
    comment = make_comment(site, "Check out my channel")
    decided(comment, "spam")
    decided(make_comment(site, "Lovely photos of the lake"), "ham")
    models = spam_learning.site_models(site.slug)
    pointer = models.directory / models.POINTER
    for damage in (b"\xff\xfe", b"v1", b"", b"7\n"):
        pointer.write_bytes(damage)
        with caplog.at_level(logging.WARNING, logger="service.spam.model"):
            assert models.current_version() == 2
        assert "names no usable model" in caplog.text
        caplog.clear()
        verdict = spam_learning.model_verdict(site.slug, "Check out my channel")
        assert verdict is not None and verdict.nearest.spam_share == 1.0
    # Learning goes on from the site's newest copy, not from the base model.
    assert decided(make_comment(site, "Nice lake"), "ham") == "v3"
    assert len(site_copy(site)[1].learned) == 3


def test_old_versions_are_pruned(site, make_comment, tiny_model):
    comment = make_comment(site, "Check out my channel")
    for n in range(spam_storage.KEEP_VERSIONS + 2):
        decided(comment, "spam" if n % 2 else "ham")
    versions = spam_learning.site_models(site.slug).versions()
    assert len(versions) == spam_storage.KEEP_VERSIONS
    assert versions[-1] == spam_storage.KEEP_VERSIONS + 2


def test_the_learning_task_is_registered_under_its_name(app, site, make_comment, tiny_model):
    from service import queue

    comment = make_comment(site, "Check out my channel", status=Status.SPAM)
    assert queue.send(queue.LEARN_FROM_DECISION, comment.id, "spam")
    assert site_copy(site)[1].learned == {comment.id: "spam"}


# --- what the site's decisions teach about link domains ------------------------------------


def test_a_domain_the_moderators_marked_spam_is_named_on_the_next_comment(
    site, make_comment, tiny_model
):
    first = received(site, make_comment, "great stuff at http://pillshop.com/a")
    pipeline.process_comment(first.id)
    assert decided(first, "spam").startswith("v")
    second = received(site, make_comment, "see http://pillshop.com/b", uri="/other")
    pipeline.process_comment(second.id)
    assert "spam_domain" in reason_codes(second)


def test_a_domain_in_approved_comments_is_trusted_and_the_lesson_is_explained(
    site, make_comment, tiny_model
):
    first = received(site, make_comment, "I compared them on https://readerblog.net/post")
    pipeline.process_comment(first.id)
    lesson = [r for r in first.spam_reasons if r["code"] == "lesson"]
    assert lesson and "readerblog.net" in lesson[0]["detail"]
    decided(first, "ham")
    second = received(site, make_comment, "More on https://readerblog.net/next", uri="/b")
    pipeline.process_comment(second.id)
    assert "cites_known_site" in reason_codes(second)
    assert "one_link" not in reason_codes(second)
