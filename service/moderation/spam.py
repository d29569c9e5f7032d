"""Spam scoring as pure functions: features in, `(score, reasons)` out.

No Flask, no database: the pipeline gathers the features, this module only judges them.
Each rule returns a `Reason` with a weight in [0, 1]; weights combine like independent
pieces of evidence (noisy-OR), so the score stays in [0, 1] and one strong signal is
enough while several weak ones add up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LINK_HOLD_COUNT = 2
DEFAULT_SPAM_AT = 0.9


@dataclass(frozen=True)
class Reason:
    code: str
    weight: float
    detail: str

    def to_dict(self) -> dict:
        return {"code": self.code, "weight": round(self.weight, 3), "detail": self.detail}


@dataclass(frozen=True)
class CommentFeatures:
    text: str
    author: str = ""
    email: str = ""
    website: str = ""
    link_count: int = 0
    honeypot_filled: bool = False
    duplicate_of_recent: bool = False
    blocked_words: tuple[str, ...] = field(default_factory=tuple)


def honeypot_rule(features: CommentFeatures) -> Reason | None:
    if features.honeypot_filled:
        return Reason("honeypot", 0.95, "A hidden form field that people never see was filled in.")
    return None


def link_rule(features: CommentFeatures) -> Reason | None:
    count = features.link_count
    if count >= LINK_HOLD_COUNT:
        weight = min(0.5 + 0.1 * (count - LINK_HOLD_COUNT), 0.85)
        return Reason("many_links", weight, f"The comment contains {count} links.")
    if count == 1:
        return Reason("one_link", 0.1, "The comment contains a link.")
    return None


def duplicate_rule(features: CommentFeatures) -> Reason | None:
    if features.duplicate_of_recent:
        return Reason(
            "duplicate", 0.7, "The same text was posted on this site in the last few days."
        )
    return None


def blocked_word_rule(features: CommentFeatures) -> Reason | None:
    if not features.blocked_words:
        return None
    haystack = " ".join([features.text, features.author, features.email, features.website])
    hits = [
        word
        for word in features.blocked_words
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", haystack, re.IGNORECASE)
    ]
    if hits:
        return Reason("blocked_word", 0.9, "Contains blocked words: " + ", ".join(sorted(hits)))
    return None


RULES = (honeypot_rule, link_rule, duplicate_rule, blocked_word_rule)


def combine(weights: list[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - max(0.0, min(1.0, weight))
    return round(1.0 - remaining, 4)


def score(features: CommentFeatures) -> tuple[float, list[Reason]]:
    reasons = [reason for rule in RULES if (reason := rule(features)) is not None]
    return combine([reason.weight for reason in reasons]), reasons
