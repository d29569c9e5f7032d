"""Spam scoring as pure functions: features in, `(score, reasons)` out.

No Flask, no database: the pipeline gathers the features (including the learned model's
probability), this module only judges them. Each gate returns a `Reason` whose `detail`
is a sentence a moderator can read. Weights combine like independent pieces of evidence
(noisy-OR), so the score stays in [0, 1], one strong signal is enough and several weak
ones add up. A site's allow rule is the one negative reason: it scales the score down.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

LINK_HOLD_COUNT = 2
# A site's thresholds start here (Site.spam_at / Site.approve_below).
DEFAULT_FORM_MIN_SECONDS = 3.0
# A /24 may be a whole office or school, so a network is allowed more than one address.
FLOOD_NETWORK_PER_MINUTE = 5
FLOOD_EMAIL_PER_MINUTE = 3
NEAR_DUPLICATE_SIMILARITY = 0.8
# Below this many words two texts share too few shingles to call them near-duplicates.
SHINGLE_WORDS = 3
MIN_WORDS_FOR_NEAR_DUPLICATE = 6
# "Thanks!" posted twice is normal; a long text posted twice is a campaign.
SHORT_TEXT_CHARS = 20
BLOCK_RULE_WEIGHT = 0.9
ALLOW_RULE_DAMPING = 0.75
# Between 1 - this and this the model is said to be unsure (short, generic texts).
UNSURE_ABOVE = 0.65


@dataclass(frozen=True)
class Reason:
    code: str
    weight: float
    detail: str

    def to_dict(self) -> dict:
        return {"code": self.code, "weight": round(self.weight, 3), "detail": self.detail}


class RuleHitLike(Protocol):
    """What the scorer needs from a site rule match (see `rules.RuleHit`)."""

    kind: str
    pattern: str
    action: str
    field: str


@dataclass(frozen=True)
class NearestExample:
    """The labelled comment(s) the model found most alike in wording (see spam_model)."""

    spam_share: float  # 1.0 = marked spam, 0.0 = ham; in between when several tie
    similarity: float  # cosine of the word n-grams, 0..1


@dataclass(frozen=True)
class CommentFeatures:
    text: str
    author: str = ""
    email: str = ""
    website: str = ""
    link_count: int = 0
    honeypot_filled: bool = False
    # `valid`, `missing`, `forged` or `expired` (form_token.TokenState); None = not known.
    form_token: str | None = None
    form_age_seconds: float | None = None
    form_min_seconds: float = DEFAULT_FORM_MIN_SECONDS
    # Other comments on the site in the last minute from the same network / e-mail.
    recent_from_network: int = 0
    recent_from_email: int = 0
    # Texts of recent comments on the same site, for the duplicate gate.
    recent_texts: tuple[str, ...] = ()
    rule_hits: tuple[RuleHitLike, ...] = field(default_factory=tuple)
    # The learned model's spam probability; None when no model could be loaded.
    model_probability: float | None = None
    # The remembered example behind the model's vote, when it shares any words.
    model_nearest: NearestExample | None = None


Gate = Callable[[CommentFeatures], Reason | None]


def honeypot_gate(features: CommentFeatures) -> Reason | None:
    if features.honeypot_filled:
        return Reason("honeypot", 0.95, "A hidden form field that people never see was filled in.")
    return None


def form_timing_gate(features: CommentFeatures) -> Reason | None:
    state = features.form_token
    if state == "forged":
        return Reason(
            "form_token_forged",
            0.6,
            "The form's timestamp token was altered or made for another site.",
        )
    if state == "expired":
        return Reason(
            "form_token_expired",
            0.3,
            "The comment form was opened too long ago for its timestamp to be trusted.",
        )
    if state == "missing":
        return Reason(
            "form_token_missing",
            0.1,
            "The comment came without the form's timestamp (sent by a script, or an old page).",
        )
    age, minimum = features.form_age_seconds, features.form_min_seconds
    if state == "valid" and age is not None and age < minimum:
        weight = 0.8 if age < minimum / 3 else 0.6
        return Reason(
            "too_fast",
            weight,
            f"Sent {age:.1f} seconds after the form was shown; people need at least "
            f"{minimum:g} seconds to write a comment.",
        )
    return None


def link_gate(features: CommentFeatures) -> Reason | None:
    count = features.link_count
    if count >= LINK_HOLD_COUNT:
        weight = min(0.5 + 0.1 * (count - LINK_HOLD_COUNT), 0.85)
        return Reason("many_links", weight, f"The comment contains {count} links.")
    if count == 1:
        return Reason("one_link", 0.1, "The comment contains a link.")
    return None


def _flood_weight(count: int, limit: int, ceiling: float) -> float:
    return min(0.5 + 0.1 * (count - limit), ceiling)


def flood_gate(features: CommentFeatures) -> Reason | None:
    """Too many comments per minute from one network or one e-mail address."""
    network, email = features.recent_from_network, features.recent_from_email
    if email >= FLOOD_EMAIL_PER_MINUTE:
        return Reason(
            "flood_email",
            _flood_weight(email, FLOOD_EMAIL_PER_MINUTE, 0.85),
            f"The same e-mail address sent {email} other comments in the last minute.",
        )
    if network >= FLOOD_NETWORK_PER_MINUTE:
        return Reason(
            "flood_network",
            # Weaker evidence than one address: a network may be a busy office or school.
            _flood_weight(network, FLOOD_NETWORK_PER_MINUTE, 0.7),
            f"The same network sent {network} other comments in the last minute.",
        )
    return None


# Cached: a worker compares every comment of a batch with the same recent texts, so each
# text is normalised (and shingled) once instead of once per comparison.
@lru_cache(maxsize=4096)
def normalise_text(text: str) -> str:
    """Case, accents, punctuation and spacing removed: what is left is what was said."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    words = " ".join(re.findall(r"\w+", folded))
    # A text of emoji or punctuation alone keeps its symbols: "😍😍😍" is not "👍".
    return words or " ".join(folded.split())


@lru_cache(maxsize=4096)
def shingles(normalised: str) -> frozenset[int]:
    """Hashes of overlapping word triples; two texts sharing most of them say the same."""
    words = normalised.split()
    return frozenset(
        hash(" ".join(words[i : i + SHINGLE_WORDS]))
        for i in range(max(1, len(words) - SHINGLE_WORDS + 1))
    )


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def best_match(text: str, others: Iterable[str]) -> float:
    """1.0 for an exact (normalised) duplicate, else the highest shingle similarity."""
    mine = normalise_text(text)
    words = len(mine.split())
    own_shingles = shingles(mine) if words >= MIN_WORDS_FOR_NEAR_DUPLICATE else None
    best = 0.0
    for other in others:
        theirs = normalise_text(other)
        if theirs == mine:
            return 1.0
        if own_shingles is None:
            continue
        # Jaccard >= t needs the shorter text to be at least t times the longer one.
        shorter, longer = sorted((len(theirs), len(mine)))
        if shorter < NEAR_DUPLICATE_SIMILARITY * longer:
            continue
        best = max(best, jaccard(own_shingles, shingles(theirs)))
    return best


def duplicate_gate(features: CommentFeatures) -> Reason | None:
    if not features.recent_texts:
        return None
    similarity = best_match(features.text, features.recent_texts)
    if similarity == 1.0:
        weight = 0.3 if len(features.text.strip()) < SHORT_TEXT_CHARS else 0.7
        return Reason(
            "duplicate", weight, "The same text was posted on this site in the last few days."
        )
    if similarity >= NEAR_DUPLICATE_SIMILARITY:
        return Reason(
            "near_duplicate",
            0.5,
            f"The text is {similarity:.0%} the same as a comment posted on this site "
            "in the last few days.",
        )
    return None


RULE_KIND_WORDS = {
    "word": "the blocked word",
    "domain": "a link to the blocked domain",
    "ip_range": "an address in the blocked network",
    "email": "an e-mail address matching",
}


def site_rule_gate(features: CommentFeatures) -> Reason | None:
    blocks = [hit for hit in features.rule_hits if hit.action == "block"]
    if not blocks:
        return None
    described = "; ".join(
        f"{RULE_KIND_WORDS.get(hit.kind, hit.kind)} “{hit.pattern}”" for hit in blocks
    )
    return Reason("site_rule", BLOCK_RULE_WEIGHT, f"Matches this site's block rules: {described}.")


def _nearest_words(nearest: NearestExample) -> str:
    alike = f"{nearest.similarity:.0%} alike in wording"
    if nearest.spam_share >= 1:
        return f" The most similar comment it has learned from ({alike}) was spam."
    if nearest.spam_share <= 0:
        return f" The most similar comment it has learned from ({alike}) was not spam."
    return (
        f" The most similar comments it has learned from ({alike}) were "
        f"{nearest.spam_share:.0%} spam."
    )


def model_reason(probability: float, nearest: NearestExample | None = None) -> Reason:
    """The learned model as one more reason, worded by how sure it is."""
    if probability >= UNSURE_ABOVE:
        detail = f"The text resembles spam the filter has learned (p={probability:.2f})."
    elif probability > 1 - UNSURE_ABOVE:
        detail = f"The filter cannot tell whether the text is spam (p={probability:.2f})."
    else:
        detail = (
            f"The text resembles ordinary comments the filter has learned (p={probability:.2f})."
        )
    if nearest is not None:
        detail += _nearest_words(nearest)
    return Reason("model", probability, detail)


GATES: tuple[Gate, ...] = (
    honeypot_gate,
    form_timing_gate,
    link_gate,
    flood_gate,
    duplicate_gate,
    site_rule_gate,
)


def combine(weights: list[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - max(0.0, min(1.0, weight))
    return round(1.0 - remaining, 4)


def score(features: CommentFeatures) -> tuple[float, list[Reason]]:
    """The combined score in [0, 1] and every reason behind it, strongest first."""
    reasons = [reason for gate in GATES if (reason := gate(features)) is not None]
    if features.model_probability is not None:
        reasons.append(model_reason(features.model_probability, features.model_nearest))
    total = combine([reason.weight for reason in reasons])
    allows = [hit for hit in features.rule_hits if hit.action == "allow"]
    if allows and not any(hit.action == "block" for hit in features.rule_hits):
        patterns = ", ".join(f"“{hit.pattern}”" for hit in allows)
        reasons.append(
            Reason(
                "site_allow_rule",
                -ALLOW_RULE_DAMPING,
                f"Trusted by this site's allow rules ({patterns}), so the score was lowered.",
            )
        )
        total = round(total * (1 - ALLOW_RULE_DAMPING), 4)
    reasons.sort(key=lambda reason: reason.weight, reverse=True)
    return total, reasons
