"""The model on the real corpus (shared data): leave-one-source-out figures stay sane.

The floors sit a few points below the figures in docs/spam.md (training is deterministic,
random_state=0); they catch a broken feature or a training bug, not a one-point drift.
"""

import joblib
import pytest

from service.spam import corpus as training_data  # noqa: E402
from service.spam import evaluation as spam_eval
from service.spam import model as spam_model
from service.spam import storage as spam_storage
from tests.support import shared_data


@pytest.fixture(scope="module")
def corpus():
    return training_data.read_csv(shared_data("spam", "train.csv"))


def test_leave_one_video_out_with_sms_in_training_meets_the_flagged_target(corpus):
    # The agreed proxy for unseen videos: each YouTube fold trains on the other two videos
    # and the SMS rows, as the shipped model trains on everything.
    result = spam_eval.crossval(corpus)
    youtube = {name: fold for name, fold in result["folds"].items() if name != "sms"}
    assert set(youtube) == {"psy", "katyperry", "lmfao"}
    for fold in youtube.values():
        assert fold["mcc"] >= 0.75
        assert fold["ham_flagged_rate"] <= 0.01
    assert sum(fold["mcc"] for fold in youtube.values()) / 3 >= 0.82


def test_with_citing_comments_in_training_neither_videos_nor_citers_go_to_the_spam_folder(
    corpus,
):
    # ham_links.csv joins training; its six Stack Exchange sites are held out one by one,
    # as the videos are. The spam folder needs evidence beyond the model (policy.py).
    citing = training_data.read_csv(shared_data("spam", "ham_links.csv"))
    result = spam_eval.crossval([e for e in corpus if e.source != "sms"] + citing)
    parts = [name for name in result["folds"] if name.startswith("stackexchange-")]
    assert len(parts) == 6
    for name in parts:
        assert result["folds"][name]["ham_flagged_rate"] <= 0.01
    for name in ("psy", "katyperry", "lmfao"):
        assert result["folds"][name]["ham_flagged_rate"] <= 0.01
        assert result["folds"][name]["mcc"] >= 0.75


def test_leave_one_youtube_video_out_keeps_mcc_high_and_hides_little_ham(corpus):
    youtube = [e for e in corpus if e.source != "sms"]
    result = spam_eval.crossval(youtube)
    assert set(result["folds"]) == {"psy", "katyperry", "lmfao"}
    for fold in result["folds"].values():
        assert fold["mcc"] >= 0.75
        assert fold["ham_flagged_rate"] <= 0.06
    assert result["mean"]["mcc"] >= 0.8


def test_learning_online_beats_the_frozen_model_on_a_new_domain(corpus):
    youtube = [e for e in corpus if e.source != "sms"]
    sms = [e for e in corpus if e.source == "sms"][:1500]
    result = spam_eval.replay(youtube, sms)
    assert result["online"]["f1"] > result["frozen"]["f1"]


def test_the_shipped_model_was_trained_on_the_corpus_and_loads(corpus):
    model = spam_storage.load(spam_storage.BASE_MODEL_PATH)
    assert model.trained_on == ["train.csv", "ham_links.csv"]
    assert model.probability("Check out my channel and subscribe http://x.example.com") > 0.9
    assert model.probability("I love this song, it reminds me of summer") < 0.2


def test_a_model_file_from_an_older_feature_format_is_refused_not_misread(tmp_path):
    # Format 1 was trained on n-gram counts; scoring binary features with it would be
    # quietly wrong, so the loader refuses it and the caller falls back to the gates.
    bundle = spam_storage.load(spam_storage.BASE_MODEL_PATH).to_bundle()
    path = tmp_path / "old.joblib"
    joblib.dump({**bundle, "format": 1}, path)
    with pytest.raises(spam_model.ModelUnavailable, match="another version"):
        spam_storage.load(path)
