"""Offline measurements of the spam scorer on labelled CSV rows: evaluate, replay, crossval.

What is scored: the learned model plus the gates that can be judged from the text alone
(the link gates; honeypot, timing, flood and site rules need a live site; `replay` gives the
duplicate and campaign gates the stream's previous rows), combined and routed exactly as
the pipeline does. Figures:

- `mcc`, `f1`, `precision`, `recall`: spam is "score >= 0.5", the point where the scorer
  leans to spam (a moderator's yes/no), independent of a site's thresholds.
- `spam_caught_rate`: share of spam sent to the spam folder unseen (score >= spam_at and
  the evidence policy of policy.py agrees).
- `ham_flagged_rate`: share of ham sent to the spam folder (a real comment hidden as spam).
- `ham_kept_from_folder_rate` / `spam_kept_from_folder_rate`: share scored >= spam_at that
  the policy held for a moderator instead (what the policy changes).
- `ham_held_rate`: share of ham not below approve_below (a real comment a site with
  auto-approval would still hold for a moderator).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import combinations, islice

from service.config import DEFAULT_APPROVE_BELOW, DEFAULT_SPAM_AT
from service.spam import policy
from service.spam import scoring as spam
from service.spam.model import SPAM, Example, SpamModel, Verdict, count_urls, train_on

DECISION_THRESHOLD = 0.5
# The live duplicate and campaign gates look at the site's last 100 comments; a replayed
# stream gives its previous rows (the frozen run has no such history).
RECENT_COMMENTS = 100
METRIC_KEYS = (
    "n",
    "mcc",
    "f1",
    "precision",
    "recall",
    "ham_flagged_rate",
    "ham_held_rate",
    "spam_caught_rate",
    "ham_kept_from_folder_rate",
    "spam_kept_from_folder_rate",
)


def judge(verdict: Verdict, text: str, recent: tuple[str, ...] = (), **thresholds: float):
    """The pipeline's (score, sent to the spam folder) for a comment known only by its text.

    `recent` stands in for the site's recent comments (duplicate and campaign gates).
    """
    features = spam.CommentFeatures(
        text=text,
        link_count=count_urls(text),
        recent_texts=recent,
        model_probability=verdict.probability,
        model_nearest=verdict.nearest,
        trusted_domains=verdict.trusted_domains,
        spam_domains=verdict.spam_domains,
    )
    total, reasons = spam.score(features)
    spam_at = thresholds.get("spam_at", DEFAULT_SPAM_AT)
    return total, policy.to_spam_folder(total, reasons, spam_at, verdict.nearest)


def score_texts(model: SpamModel, texts: list[str], **thresholds: float) -> list[tuple]:
    verdicts = model.verdicts(texts) if texts else []
    return [judge(v, t, **thresholds) for v, t in zip(verdicts, texts, strict=True)]


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def metrics(
    labels: Iterable[str],
    scores: Iterable[float | tuple[float, bool]],
    *,
    spam_at: float = DEFAULT_SPAM_AT,
    approve_below: float = DEFAULT_APPROVE_BELOW,
) -> dict:
    """Figures for scored rows; a row is a score, or (score, sent to the spam folder)."""
    rows = [
        (label, *(s if isinstance(s, tuple) else (s, s >= spam_at)))
        for label, s in zip(labels, scores, strict=True)
    ]
    spams = [(s, folder) for label, s, folder in rows if label == SPAM]
    hams = [(s, folder) for label, s, folder in rows if label != SPAM]
    tp = sum(s >= DECISION_THRESHOLD for s, _ in spams)
    fn = len(spams) - tp
    fp = sum(s >= DECISION_THRESHOLD for s, _ in hams)
    tn = len(hams) - fp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / denominator if denominator else 0.0
    return {
        "n": len(rows),
        "mcc": round(mcc, 4),
        "f1": round(f1, 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "ham_flagged_rate": _ratio(sum(folder for _, folder in hams), len(hams)),
        "ham_held_rate": _ratio(sum(s >= approve_below for s, _ in hams), len(hams)),
        "spam_caught_rate": _ratio(sum(folder for _, folder in spams), len(spams)),
        # Past the threshold but held by the spam-folder policy (docs/spam.md).
        "ham_kept_from_folder_rate": _ratio(
            sum(s >= spam_at and not f for s, f in hams), len(hams)
        ),
        "spam_kept_from_folder_rate": _ratio(
            sum(s >= spam_at and not f for s, f in spams), len(spams)
        ),
    }


def evaluate(
    train: list[Example], test: list[Example], seed: int = 0, **thresholds: float
) -> tuple[dict, SpamModel]:
    """Train a fresh model on `train` only and measure it on `test`."""
    model = train_on(train, seed=seed)
    scores = score_texts(model, [e.text for e in test], **thresholds)
    return metrics([e.label for e in test], scores, **thresholds), model


def replay(train: list[Example], stream: list[Example], **thresholds: float) -> dict:
    """Walk the stream in order as a live site would: score, decide, then learn the truth.

    Returns `{"online": metrics, "frozen": metrics}`; frozen is the same starting model
    never updated, so the difference is what moderators' decisions taught it. Both see the
    stream's previous rows as the site's recent comments.
    """
    model = train_on(train)
    frozen = _walk(model, stream, learn=False, **thresholds)
    return {"online": _walk(model, stream, learn=True, **thresholds), "frozen": frozen}


def _walk(model: SpamModel, stream: list[Example], *, learn: bool, **thresholds: float) -> dict:
    judged = []
    for index, example in enumerate(stream):
        recent = tuple(e.text for e in stream[max(0, index - RECENT_COMMENTS) : index])
        judged.append(judge(model.verdict(example.text), example.text, recent, **thresholds))
        if learn:
            # Each row is one moderator decision on one comment (its key in the memory).
            model.learn(example.text, example.label, key=index)
    return metrics([e.label for e in stream], judged, **thresholds)


def crossval(examples: list[Example], **thresholds: float) -> dict:
    """Leave one source out: train on every other source, test on the one left out."""
    sources = sorted({e.source for e in examples})
    if len(sources) < 2:
        raise ValueError("cross-validation needs a source column with at least two values")
    folds = {}
    for source in sources:
        train = [e for e in examples if e.source != source]
        test = [e for e in examples if e.source == source]
        folds[source], _ = evaluate(train, test, **thresholds)
    mean = {
        key: round(sum(fold[key] for fold in folds.values()) / len(folds), 4)
        for key in METRIC_KEYS
        if key != "n"
    }
    return {"folds": folds, "mean": {"n": sum(f["n"] for f in folds.values()), **mean}}


def learning_curve(
    examples: list[Example],
    *,
    always: Sequence[str] = (),
    seeds: int = 3,
    max_subsets: int = 10,
) -> dict:
    """How MCC on an unseen source grows with the number of sources trained on.

    Each source not named in `always` is held out in turn and the model is trained on
    every subset of k of the other such sources (plus the `always` sources, e.g. a corpus
    from another medium used in every training set), for k = 1 … n-1, averaged over
    `seeds` SGD seeds, because one seed moves a fold by a few hundredths. With many
    sources the subsets of each size are capped at `max_subsets` per held-out source (the
    first ones in sorted order), so the cost stays polynomial.

    A model shipped on all n sources meets a new source with one more source of training
    than any point measured here. The error 1 - MCC is extrapolated to k = n with a power
    law through the last two points (the usual shape of a learning curve); it is an
    estimate for reading the leave-one-out figures, not a measurement.
    """
    rotating = sorted({e.source for e in examples} - set(always))
    if len(rotating) < 3:
        raise ValueError("a learning curve needs at least three sources that rotate")
    fixed = [e for e in examples if e.source in set(always)]
    by_size: dict[int, list[float]] = {}
    for held_out in rotating:
        test = [e for e in examples if e.source == held_out]
        others = [source for source in rotating if source != held_out]
        for size in range(1, len(others) + 1):
            for chosen in islice(combinations(others, size), max_subsets):
                train = fixed + [e for e in examples if e.source in chosen]
                runs = [evaluate(train, test, seed=seed)[0]["mcc"] for seed in range(seeds)]
                by_size.setdefault(size, []).append(sum(runs) / len(runs))
    points = [
        {"sources": size, "mcc": round(sum(values) / len(values), 4), "folds": len(values)}
        for size, values in sorted(by_size.items())
    ]
    result: dict = {"points": points, "seeds": seeds}
    estimate = extrapolate(points[-2:], len(rotating))
    if estimate:
        result["extrapolated"] = estimate
    return result


def extrapolate(last_two: list[dict], target: int) -> dict | None:
    """MCC at `target` sources from a power law 1 - MCC = a * k^-b through two points.

    None when the two points do not describe a falling error (no data to extrapolate).
    """
    if len(last_two) != 2:
        return None
    (k1, m1), (k2, m2) = ((point["sources"], point["mcc"]) for point in last_two)
    if not 0 < 1 - m2 < 1 - m1:
        return None
    exponent = math.log((1 - m1) / (1 - m2)) / math.log(k2 / k1)
    estimate = 1 - (1 - m2) * (k2 / target) ** exponent
    return {"sources": target, "mcc": round(estimate, 4), "exponent": round(exponent, 3)}
