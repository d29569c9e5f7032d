"""A small made-up labelled corpus for spam tests that must not depend on shared data."""

from __future__ import annotations

import csv
from pathlib import Path

SPAM_TEXTS = [
    "Check out my channel and subscribe http://promo{n}.example.com",
    "Win a free iPhone now, click http://win{n}.example.net to claim",
    "CHEAP pills and watches, best prices, visit www.shop{n}.example.org",
    "Make $500 a day from home, follow the link http://money{n}.example.com",
    "Subscribe to my channel please!!! I post new videos every day {n}",
]
HAM_TEXTS = [
    "I really liked the part about gardening in winter, thanks {n}",
    "Could you say more about the second example? I got lost there {n}",
    "This reminds me of my grandmother's recipe, we added lemon too {n}",
    "Good point about testing, our team had the same problem last year {n}",
    "I disagree a little: the chart starts in a different year {n}",
]


def rows(copies: int = 4, sources: str = "ab") -> list[tuple[str, str, str]]:
    """(text, label, source) rows; `source` cycles through `sources`, one fold each."""
    out = []
    for n in range(copies):
        source = sources[n % len(sources)]
        out += [(t.format(n=n), "spam", source) for t in SPAM_TEXTS]
        out += [(t.format(n=n), "ham", source) for t in HAM_TEXTS]
    return out


def write_csv(path: Path, data: list[tuple[str, str, str]] | None = None) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "source"])
        writer.writerows(data if data is not None else rows())
    return path
