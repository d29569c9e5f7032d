"""`flask spam …`: the output contract of evaluate/replay/crossval, training and rollback."""

import json

import pytest

from service.spam import corpus as training_data
from service.spam import evaluation as spam_eval
from service.spam import learning as spam_learning
from service.spam import model as spam_model
from service.spam import storage as spam_storage
from service.spam.evaluation import METRIC_KEYS, metrics
from tests import spam_corpus


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def corpus(tmp_path):
    return spam_corpus.write_csv(tmp_path / "corpus.csv")


def last_json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def test_evaluate_prints_one_json_object_with_the_agreed_keys(runner, corpus, tmp_path):
    test = spam_corpus.write_csv(tmp_path / "test.csv", spam_corpus.rows(copies=2))
    figures = last_json(
        runner.invoke(args=["spam", "evaluate", "--train", corpus, "--test", test, "--json"])
    )
    assert tuple(figures) == METRIC_KEYS
    assert figures["n"] == len(spam_corpus.rows(copies=2))
    assert -1 <= figures["mcc"] <= 1
    assert all(0 <= figures[key] <= 1 for key in METRIC_KEYS[2:])


def test_evaluate_accepts_several_train_files(runner, corpus, tmp_path):
    extra = spam_corpus.write_csv(tmp_path / "extra.csv", spam_corpus.rows(copies=1))
    args = ["spam", "evaluate", "--train", corpus, "--train", extra, "--test", extra, "--json"]
    assert last_json(runner.invoke(args=args))["n"] == len(spam_corpus.rows(copies=1))


def test_replay_prints_the_frozen_figures_then_the_online_json(runner, corpus):
    result = runner.invoke(args=["spam", "replay", "--train", corpus, "--stream", corpus, "--json"])
    figures = last_json(result)
    assert tuple(figures) == METRIC_KEYS
    assert result.output.splitlines()[0].startswith("frozen: n=")


def test_crossval_reports_one_fold_per_source(runner, corpus):
    result = last_json(runner.invoke(args=["spam", "crossval", "--csv", corpus, "--json"]))
    assert set(result["folds"]) == {"a", "b"}
    assert tuple(result["mean"]) == METRIC_KEYS


def test_curve_measures_each_training_size_and_extrapolates_to_all_sources(runner, tmp_path):
    corpus = spam_corpus.write_csv(
        tmp_path / "curve.csv", spam_corpus.rows(copies=8, sources="abcx")
    )
    args = ["spam", "curve", "--csv", corpus, "--always", "x", "--seeds", "2", "--json"]
    result = last_json(runner.invoke(args=args))
    # Sources a, b, c rotate: each is held out and trained on 1 (two ways) or 2 others.
    assert [(p["sources"], p["folds"]) for p in result["points"]] == [(1, 6), (2, 3)]
    assert all(-1 <= p["mcc"] <= 1 for p in result["points"])
    assert result["seeds"] == 2


def test_the_curve_caps_the_subsets_it_trains_on():
    examples = [
        spam_model.Example(text, label, source)
        for text, label, source in spam_corpus.rows(copies=8, sources="abcd")
    ]
    result = spam_eval.learning_curve(examples, seeds=1, max_subsets=1)
    # 4 held-out sources, each trained on at most one subset of size 1, 2 and 3.
    assert [(p["sources"], p["folds"]) for p in result["points"]] == [(1, 4), (2, 4), (3, 4)]


def test_the_extrapolation_follows_a_power_law_through_the_last_two_points():
    # Error 0.2 at one source, 0.1 at two: halving per doubling is k^-1, so 3 sources
    # leave an error of 0.1 * 2/3.
    points = [{"sources": 1, "mcc": 0.8}, {"sources": 2, "mcc": 0.9}]
    guess = spam_eval.extrapolate(points, 3)
    assert guess["exponent"] == 1.0
    assert guess["mcc"] == round(1 - 0.1 * 2 / 3, 4)
    # A flat or rising error (or a perfect score) gives nothing to extrapolate.
    assert spam_eval.extrapolate([points[1], points[0]], 3) is None
    assert spam_eval.extrapolate([points[0], {"sources": 2, "mcc": 1.0}], 3) is None


def test_curve_needs_three_rotating_sources(runner, corpus):
    result = runner.invoke(args=["spam", "curve", "--csv", corpus, "--json"])
    assert result.exit_code != 0 and "at least three sources" in result.output


def test_a_bad_label_is_reported_not_raised(runner, tmp_path):
    bad = spam_corpus.write_csv(tmp_path / "bad.csv", [("hello", "maybe", "a")])
    result = runner.invoke(args=["spam", "evaluate", "--train", bad, "--test", bad, "--json"])
    assert result.exit_code != 0 and "spam or ham" in result.output


def test_training_a_site_then_rolling_back(runner, site, corpus):
    for _ in range(2):
        result = runner.invoke(args=["spam", "train", "--csv", corpus, "--site", "blog"])
        assert result.exit_code == 0, result.output
    assert spam_learning.site_models("blog").versions() == [1, 2]
    result = runner.invoke(args=["spam", "rollback", "--site", "blog"])
    assert "now using model v1" in result.output
    assert spam_learning.site_models("blog").current_version() == 1
    result = runner.invoke(args=["spam", "rollback", "--site", "blog"])
    assert result.exit_code != 0 and "no older version" in result.output


def test_training_an_unknown_site_is_refused(runner, app, corpus):
    result = runner.invoke(args=["spam", "train", "--csv", corpus, "--site", "nope"])
    assert result.exit_code != 0 and "nope" in result.output


def test_training_the_base_model_writes_a_loadable_file(runner, corpus, tmp_path):
    out = tmp_path / "base.joblib"
    result = runner.invoke(args=["spam", "train", "--csv", corpus, "--out", out])
    assert result.exit_code == 0, result.output
    model = spam_storage.load(out)
    assert model.trained_on == ["corpus.csv"]
    assert model.probability("Win a free iPhone now, click to claim") > 0.5


def test_metrics_count_spam_at_one_half_and_rates_at_the_site_thresholds():
    labels = ["spam", "spam", "ham", "ham", "ham", "ham"]
    scores = [0.95, 0.6, 0.92, 0.3, 0.1, 0.0]
    figures = metrics(labels, scores, spam_at=0.9, approve_below=0.2)
    assert (figures["precision"], figures["recall"]) == (round(2 / 3, 4), 1.0)
    assert figures["spam_caught_rate"] == 0.5
    assert figures["ham_flagged_rate"] == 0.25
    assert figures["ham_held_rate"] == 0.5


def test_spreadsheet_exports_are_read_as_written(tmp_path):
    # A byte-order mark, capitalised headers, CRLF line ends, 1/0 classes, a newline in a text.
    path = tmp_path / "export.csv"
    path.write_bytes(
        "\ufeffText , LABEL,Source\r\n"
        '"Subscribe to my channel\nplease",1,eminem\r\n'
        "Great song,0,eminem\r\n"
        "Nice one,Ham,shakira\r\n".encode()
    )
    assert training_data.read_csv(path) == [
        spam_model.Example("Subscribe to my channel\nplease", "spam", "eminem"),
        spam_model.Example("Great song", "ham", "eminem"),
        spam_model.Example("Nice one", "ham", "shakira"),
    ]


def test_a_malformed_csv_is_reported_with_its_line(runner, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text('text,label\n"unterminated quote,spam\n', encoding="utf-8")
    not_utf8 = tmp_path / "latin1.csv"
    not_utf8.write_bytes("text,label\ncaf\xe9,ham\n".encode("latin-1"))
    no_header = tmp_path / "empty.csv"
    no_header.write_text("", encoding="utf-8")
    for path in (broken, not_utf8, no_header):
        result = runner.invoke(args=["spam", "evaluate", "--train", path, "--test", path, "--json"])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and str(path.name) in result.output


def test_training_data_with_one_class_is_reported(runner, site, tmp_path):
    only_ham = spam_corpus.write_csv(tmp_path / "ham.csv", [("nice post", "ham", "a")])
    for site_args in ([], ["--site", "blog"]):
        result = runner.invoke(args=["spam", "train", "--csv", only_ham, *site_args])
        assert result.exit_code == 1 and "both spam and ham" in result.output, result.output
    for command in (["evaluate", "--test"], ["replay", "--stream"]):
        args = ["spam", command[0], "--train", only_ham, command[1], only_ham, "--json"]
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and "both spam and ham" in result.output, result.output
