"""How a comment's text becomes numbers for the spam model: hashed n-grams and shape.

Word 1-2-grams and character 2-5-grams are hashed (no vocabulary to store or grow), counted
once per text and l2-normalised per block; links are read by kind (links.py) beside their
characters; a few shape features (links, length, case, money, exclamation marks) follow.
"""

from __future__ import annotations

import math
import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.utils import murmurhash3_32

from service.spam import links

WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18
# Six text-shape features, then nine about links (format 4).
SHAPE_FEATURES = 15
OLD_LINK_SHAPES = 9
# How many words the explanation names.
DRIVERS = 4

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|info|biz|ly|co|uk|ru)\b", re.I)
_WORD = re.compile(r"[^\W\d_]{2,}")
_CURRENCY = re.compile(r"[£$€]|\b\d{4,}\b")


# binary: "sub sub sub subscribe" should not outweigh a whole sentence of ordinary chat;
# each block is still l2-normalised, so short and long texts weigh the same.
def _hashing(analyzer: str, ngrams: tuple[int, int], width: int) -> HashingVectorizer:
    return HashingVectorizer(
        analyzer=analyzer,
        ngram_range=ngrams,
        n_features=width,
        alternate_sign=False,
        binary=True,
        dtype=np.float32,
    )


_word_vectorizer = _hashing("word", (1, 2), WORD_FEATURES)
_char_vectorizer = _hashing("char_wb", (2, 5), CHAR_FEATURES)


def count_urls(text: str) -> int:
    return len(_URL.findall(text))


def shape_features(text: str) -> list[float]:
    """Link, length and case signals the n-grams do not see, each scaled to about [0, 1]."""
    facts = links.link_facts(text)
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    words = _WORD.findall(text)
    shouting = sum(w.isupper() for w in words) / len(words) if words else 0.0
    return [
        min(count_urls(text), 4) / 4,
        min(math.log1p(len(text)) / 7, 1.0),
        upper,
        shouting,
        min(len(_CURRENCY.findall(text)), 3) / 3,
        min(text.count("!"), 5) / 5,
        # What the links are (format 4): citing looks unlike selling.
        min(facts.reference, 3) / 3,
        min(facts.other + facts.shortener, 3) / 3,
        float(facts.shortener > 0),
        facts.link_share,
        float(facts.ends_with_link),
        float(facts.anchors > 0),
        float(bool(facts.selling)),
        # A bare link to an unknown site with hardly a sentence around it (drive-by spam).
        float(facts.other + facts.shortener > 0 and facts.words_outside < 12),
        float(facts.referral),
    ]


_TAG = re.compile(r"<[^>]{1,400}>")


def normalise(text: str) -> str:
    """Links annotated with their kind; markup dropped (`<br />` is not language)."""
    text = links.rewrite_links(text)
    return _TAG.sub(" ", text)


def vectorise(texts: list[str]) -> sparse.csr_matrix:
    shapes = sparse.csr_matrix(np.array([shape_features(t) for t in texts], dtype=np.float32))
    texts = [normalise(t) for t in texts]
    return sparse.hstack(
        [_word_vectorizer.transform(texts), _char_vectorizer.transform(texts), shapes],
        format="csr",
    )


def word_block(features: sparse.csr_matrix) -> sparse.csr_matrix:
    """The (l2-normalised) word n-grams of vectorised texts: what the memory compares."""
    return features[:, :WORD_FEATURES]


_word_analyzer = _word_vectorizer.build_analyzer()


def word_drivers(classifier: SGDClassifier, text: str, top: int = DRIVERS) -> tuple:
    """The text's words that pushed the linear score most, each with its signed weight."""
    tokens = list(dict.fromkeys(_word_analyzer(normalise(text))))
    if not tokens:
        return ()
    # The hashing vectorizer's own column for each n-gram (FeatureHasher: |murmur3| mod n).
    columns = [abs(murmurhash3_32(token, seed=0)) % WORD_FEATURES for token in tokens]
    weights = classifier.coef_[0, columns] / np.sqrt(len(tokens))
    order = np.argsort(-np.abs(weights))[:top]
    return tuple((tokens[i], round(float(weights[i]), 3)) for i in order if abs(weights[i]) > 0.05)
