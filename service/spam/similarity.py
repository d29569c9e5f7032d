"""How alike two comment texts are: exact (normalised) copies and word-triple shingles.

Pure functions used by the duplicate gate and the campaign gate of `scoring`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

NEAR_DUPLICATE_SIMILARITY = 0.8
# Below this many words two texts share too few shingles to call them near-duplicates.
SHINGLE_WORDS = 3
MIN_WORDS_FOR_NEAR_DUPLICATE = 6


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
