"""The model's memory of labelled examples: the nearest-example vote and its bookkeeping."""

import joblib
import numpy as np
import pytest

from service.spam import model as spam_model
from service.spam import storage as spam_storage
from service.spam.model import CORPUS_KEY, ExampleMemory, blend, vectorise, word_block
from service.spam.scoring import NearestExample, model_reason


def words(*texts):
    return word_block(vectorise(list(texts)))


def remember(memory, texts, labels, keys=None):
    keys = np.full(len(texts), CORPUS_KEY) if keys is None else np.array(keys)
    memory.add(words(*texts), np.array(labels), keys)


def test_an_exact_copy_is_found_with_similarity_one_and_its_label():
    memory = ExampleMemory()
    remember(memory, ["check out my channel", "lovely song about summer"], [1, 0])
    spammy, hammy = memory.nearest(words("Check out my channel", "lovely song about summer"))
    assert (spammy.spam_share, round(spammy.similarity, 4)) == (1.0, 1.0)
    assert (hammy.spam_share, round(hammy.similarity, 4)) == (0.0, 1.0)


def test_a_text_sharing_no_word_gets_no_vote():
    memory = ExampleMemory()
    remember(memory, ["check out my channel"], [1])
    assert memory.nearest(words("lovely song about summer")) == [None]
    assert ExampleMemory().nearest(words("anything")) == [None]


def test_examples_tied_for_nearest_share_the_vote():
    memory = ExampleMemory()
    remember(memory, ["great song", "great song"], [1, 0])
    [nearest] = memory.nearest(words("great song"))
    assert nearest.spam_share == 0.5


def test_relearning_a_comment_replaces_its_example_and_corpus_rows_stay():
    memory = ExampleMemory()
    remember(memory, ["same words", "same words"], [1, 1])
    remember(memory, ["buy cheap pills"], [1], keys=[7])
    remember(memory, ["buy cheap pills"], [0], keys=[7])
    assert len(memory) == 3
    assert list(memory.labels[memory.keys == 7]) == [0]


def test_a_sites_own_decision_outranks_corpus_rows_with_the_same_words():
    memory = ExampleMemory()
    remember(memory, ["subscribe to my channel"] * 5, [1] * 5)
    remember(memory, ["subscribe to my channel"], [0], keys=[42])  # a moderator: not spam
    [nearest] = memory.nearest(words("Subscribe to my channel"))
    assert nearest.spam_share == 0.0


def test_no_texts_no_verdicts():
    model = spam_model.train(["check out my channel", "lovely song"], ["spam", "ham"])
    assert model.verdicts([]) == []
    assert len(model.probabilities([])) == 0


def test_the_oldest_examples_are_forgotten_beyond_the_limit(monkeypatch):
    monkeypatch.setattr(spam_model, "MEMORY_LIMIT", 3)
    memory = ExampleMemory()
    remember(memory, ["one", "two", "three"], [0, 0, 0])
    remember(memory, ["four four"], [1], keys=[4])
    assert len(memory) == 3
    assert memory.nearest(words("one")) == [None]
    assert memory.nearest(words("four four"))[0].spam_share == 1.0


def test_the_vote_weighs_by_similarity():
    assert blend(0.2, None) == 0.2
    # An exact copy of a known spam counts three times as much as the linear model...
    assert blend(0.2, NearestExample(1.0, 1.0)) == pytest.approx(0.25 * 0.2 + 0.75)
    # ...a text sharing a fifth of its wording only 0.15 of the vote.
    assert blend(0.2, NearestExample(1.0, 0.2)) == pytest.approx(0.85 * 0.2 + 0.15)
    assert blend(0.8, NearestExample(0.0, 1.0)) == pytest.approx(0.2)


def test_the_reason_names_the_nearest_example_in_plain_words():
    assert model_reason(0.3, NearestExample(1.0, 0.42)).detail.endswith(
        "The most similar comment it has learned from (42% alike in wording) was spam."
    )
    assert "was not spam" in model_reason(0.1, NearestExample(0.0, 0.9)).detail
    assert "were 50% spam" in model_reason(0.5, NearestExample(0.5, 0.9)).detail
    assert "most similar" not in model_reason(0.5, None).detail


def test_a_corpus_larger_than_the_memory_is_sampled_evenly(monkeypatch):
    monkeypatch.setattr(spam_model, "MEMORY_LIMIT", 4)
    texts = [f"spam word{n}" for n in range(5)] + [f"ham word{n}" for n in range(5)]
    model = spam_model.train(texts, ["spam"] * 5 + ["ham"] * 5)
    assert len(model.memory) == 4
    assert set(model.memory.labels) == {0, 1}  # not only the last rows


def test_a_trained_model_remembers_its_corpus_and_keeps_it_through_a_file(tmp_path):
    texts = ["check out my channel", "lovely song about summer"]
    model = spam_model.train(texts, ["spam", "ham"])
    assert len(model.memory) == 2
    spam_storage.save(model, tmp_path / "m.joblib")
    loaded = spam_storage.load(tmp_path / "m.joblib")
    assert list(loaded.memory.labels) == [1, 0]
    assert loaded.probability(texts[0]) == pytest.approx(model.probability(texts[0]))


def test_a_format_two_file_loads_with_an_empty_memory(tmp_path):
    # Format 2 had the same features and no memory: it still scores, linear model alone.
    model = spam_model.train(["check out my channel", "lovely song"], ["spam", "ham"])
    bundle = {**model.to_bundle(), "format": 2}
    del bundle["memory"]
    joblib.dump(bundle, tmp_path / "old.joblib")
    loaded = spam_storage.load(tmp_path / "old.joblib")
    assert len(loaded.memory) == 0
    verdict = loaded.verdict("check out my channel")
    assert verdict.nearest is None and verdict.probability == verdict.linear
