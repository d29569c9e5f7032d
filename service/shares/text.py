"""Pure text helpers for share links: measuring and fitting text per network, cleaning URLs.

Measuring follows each network's own rule: X's weighted count (docs.x.com "Counting
characters": NFC, code points in the Latin/punctuation ranges weigh 1, everything else 2,
an emoji sequence 2, every URL 23), Bluesky's grapheme clusters, and plain code points
with a fixed URL length for Mastodon. Where a rule is uncertain we over-count, so a fitted
text can only be shorter than needed, never too long. The `regex` module (Unicode grapheme
clusters and emoji properties, about 3 MiB) is imported by the first measurement, so a web
worker that only serves cached pages and JSON never loads it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache
from urllib.parse import quote, unquote_plus, urlencode, urlsplit, urlunsplit

from service.http.hosts import ascii_host
from service.shares.targets import CHARS, GRAPHEMES, WEIGHTED, TextLimit

ELLIPSIS = "…"

# Code point ranges X weighs as 1 (twitter-text v3 config); everything else weighs 2.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# What the networks shorten to a fixed length: scheme URLs (up to the first character that
# cannot be in a URL) and bare domains with a real ending (X links `example.com`, not
# `Factory.createBean`). Counting a non-URL as 23 would under-count a long word, so only
# well-known endings and two-letter country codes count as domains.
_TLDS = (
    "com|net|org|edu|gov|mil|int|info|biz|name|pro|io|co|me|tv|app|dev|blog|news|online|"
    "site|shop|store|tech|xyz|club|page|link|live|art|design|cloud|[a-z]{2}"
)
# A URL does not end in the punctuation of the sentence around it ("see a.example/x, then").
_URL_BODY = r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*[A-Za-z0-9\-_~/#\[\]@$&*+=%])"
_URL = (
    rf"https?://{_URL_BODY}"
    rf"|(?<![\w@.])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})(?![\w-])(?:/{_URL_BODY}?)?"
)
_TRAILING = " \t\r\n,;:-–—"

# Click identifiers and mail-campaign markers; they identify a visit, not the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok",
        "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv", "rb_clickid", "s_cid",
        "srsltid", "_ga", "_gl", "wickedid", "ref_src", "ref_url",
    }
)  # fmt: skip


@cache
def _patterns():
    """(grapheme cluster, emoji, URL) patterns, compiled once when first needed."""
    import regex

    return (
        regex.compile(r"\X"),
        regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\uFE0F"),
        regex.compile(_URL, regex.IGNORECASE),
    )


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def graphemes(text: str) -> list[str]:
    """Extended grapheme clusters (UAX #29): an emoji ZWJ sequence or e + accent is one."""
    return _patterns()[0].findall(text)


def _cluster_weight(cluster: str) -> int:
    if _patterns()[1].search(cluster):
        return 2
    return sum(
        1 if any(lo <= ord(char) <= hi for lo, hi in _LIGHT_RANGES) else 2 for char in cluster
    )


def _split_urls(text: str) -> tuple[list[str], int]:
    """The pieces of text between URLs (measured apart, so no cluster spans a URL), and
    how many URLs there were."""
    pieces = _patterns()[2].split(text)
    return pieces, len(pieces) - 1


def x_weighted_length(text: str) -> int:
    pieces, urls = _split_urls(normalise(text))
    return urls * 23 + sum(
        _cluster_weight(cluster) for piece in pieces for cluster in graphemes(piece)
    )


def measure(text: str, limit: TextLimit) -> int:
    """The length of `text` as the network counts it."""
    text = normalise(text)
    if limit.unit == WEIGHTED:
        return x_weighted_length(text)
    if limit.url_length is not None:
        pieces, urls = _split_urls(text)
        extra = urls * limit.url_length
    else:
        pieces, extra = [text], 0
    if limit.unit == GRAPHEMES:
        return extra + sum(len(graphemes(piece)) for piece in pieces)
    if limit.unit == CHARS:
        return extra + sum(len(piece) for piece in pieces)
    raise ValueError(f"unknown unit {limit.unit!r}")


def fit_text(text: str, fits: Callable[[str], bool], ellipsis: str = ELLIPSIS) -> str:
    """The longest start of `text` that `fits`, cut at a word boundary and marked with `…`.

    Cuts only between grapheme clusters, so an emoji sequence or a letter with its
    combining marks is never split. Without a space to cut at (one long word, CJK text)
    it cuts at the last whole cluster. Returns "" when not even the ellipsis fits.
    """
    text = normalise(text).strip()
    if fits(text):
        return text
    clusters = graphemes(text)

    def cut(count: int) -> str:
        return "".join(clusters[:count]).rstrip(_TRAILING) + ellipsis

    low, high = 0, len(clusters)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(cut(middle)):
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return ""
    # low == len(clusters): the whole text fits once its trailing punctuation gives way to "…".
    if low < len(clusters) and not clusters[low].isspace():
        spaces = [i for i in range(1, low) if clusters[i].isspace()]
        if spaces and fits(cut(spaces[-1])):
            return cut(spaces[-1])
    return cut(low)


def fit_for(text: str, limit: TextLimit | None, tail: str = "") -> str:
    """Fit `text` so that `text + tail` (what the network will count) is within the limit."""
    if limit is None:
        return normalise(text).strip()
    return fit_text(text, lambda candidate: measure(candidate + tail, limit) <= limit.max_length)


def canonicalise_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = ascii_host((parts.hostname or "").lower())
    port = parts.port
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", _query_without_tracking(parts.query), ""))


def _query_without_tracking(query: str) -> str:
    """The query re-encoded one way, tracking parameters dropped, bare keys kept bare.

    `?id=3&flag` stays `?id=3&flag`: a page may read a key without a value differently
    from one with an empty value, so `flag=` would be another page.
    """
    kept = []
    for pair in query.split("&"):
        key, has_value, value = pair.partition("=")
        name = unquote_plus(key)
        if not pair or name.lower().startswith("utm_") or name.lower() in TRACKING_PARAMS:
            continue
        encoded = quote(name, safe="/:@")
        kept.append(f"{encoded}={quote(unquote_plus(value), safe='/:@')}" if has_value else encoded)
    return "&".join(kept)


def add_utm(url: str, source: str, campaign: str = "share") -> str:
    """The URL with utm_* appended; its own query is left exactly as it was."""
    parts = urlsplit(url)
    utm = urlencode({"utm_source": source, "utm_medium": "social", "utm_campaign": campaign})
    return urlunsplit(parts._replace(query=f"{parts.query}&{utm}" if parts.query else utm))


def encode(value: str) -> str:
    """Percent-encode a whole value (quote(safe=""), like encodeURIComponent: spaces as %20,
    `&`, `#`, `?`, `/`, newlines and every non-ASCII byte escaped)."""
    return quote(value, safe="")
