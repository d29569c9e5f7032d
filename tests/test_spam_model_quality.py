"""The model on the real corpus (shared data): leave-one-source-out figures stay sane.

The floors are well below the figures in docs/spam.md; they catch a broken feature or a
training bug, not a one-point drift.
"""

import pytest

from service.moderation import spam_eval, spam_model
from tests.support import shared_data


@pytest.fixture(scope="module")
def corpus():
    return spam_model.read_csv(shared_data("spam", "train.csv"))


def test_leave_one_youtube_video_out_keeps_mcc_high_and_hides_little_ham(corpus):
    youtube = [e for e in corpus if e.source != "sms"]
    result = spam_eval.crossval(youtube)
    assert set(result["folds"]) == {"psy", "katyperry", "lmfao"}
    for fold in result["folds"].values():
        assert fold["mcc"] >= 0.7
        assert fold["ham_flagged_rate"] <= 0.1
    assert result["mean"]["mcc"] >= 0.75


def test_learning_online_beats_the_frozen_model_on_a_new_domain(corpus):
    youtube = [e for e in corpus if e.source != "sms"]
    sms = [e for e in corpus if e.source == "sms"][:1500]
    result = spam_eval.replay(youtube, sms)
    assert result["online"]["f1"] > result["frozen"]["f1"]


def test_the_shipped_model_was_trained_on_the_corpus_and_loads(corpus):
    model = spam_model.load(spam_model.BASE_MODEL_PATH)
    assert model.trained_on == ["train.csv"]
    assert model.probability("Check out my channel and subscribe http://x.example.com") > 0.9
    assert model.probability("I love this song, it reminds me of summer") < 0.2
