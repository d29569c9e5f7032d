"""What the links in a comment are: where they point, how they sit in the text.

Pure functions, no Flask. A reader who cites a source and a spammer who sells something both
post links; what differs is where the link points (an encyclopaedia, the blog itself, a
shortener hiding the target), how much of the comment it is, and the words around it. The
scorer and the model both read these facts (`LinkFacts`), so a link is judged by its kind,
not counted as suspicious by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# Well-known reference sites: encyclopaedias, code hosts, preprint servers, standards
# bodies, Q&A sites, public institutions and large news agencies. A link to them is
# how people cite; spammers gain nothing from pointing there. Matched on the domain and
# its subdomains (en.wikipedia.org, docs.python.org …).
REFERENCE_DOMAINS = frozenset(
    {
        "wikipedia.org",
        "wikimedia.org",
        "wiktionary.org",
        "wikidata.org",
        "britannica.com",
        "github.com",
        "gitlab.com",
        "bitbucket.org",
        "sourceforge.net",
        "arxiv.org",
        "doi.org",
        "jstor.org",
        "nature.com",
        "science.org",
        "sciencedirect.com",
        "springer.com",
        "wiley.com",
        "ieee.org",
        "acm.org",
        "plos.org",
        "pubmed.ncbi.nlm.nih.gov",
        "scholar.google.com",
        "stackexchange.com",
        "stackoverflow.com",
        "superuser.com",
        "serverfault.com",
        "askubuntu.com",
        "mathoverflow.net",
        "python.org",
        "readthedocs.io",
        "mozilla.org",
        "w3.org",
        "ietf.org",
        "rfc-editor.org",
        "iso.org",
        "archive.org",
        "gutenberg.org",
        "openstreetmap.org",
        "un.org",
        "europa.eu",
        "oecd.org",
        "worldbank.org",
        "imf.org",
        "bbc.co.uk",
        "bbc.com",
        "reuters.com",
        "apnews.com",
        "theguardian.com",
        "nytimes.com",
        "washingtonpost.com",
        "economist.com",
        "ft.com",
    }
)
# Public-sector and academic suffixes: a government, university or international body.
REFERENCE_SUFFIXES = (".gov", ".edu", ".int", ".mil", ".gov.uk", ".ac.uk", ".edu.au", ".gc.ca")
# Link shorteners hide where a link goes, which is what a spammer wants and a citer does not
# need; the ad-paying ones (adf.ly, shorte.st, linkbucks) pay per click.
SHORTENER_DOMAINS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "bit.do",
        "goo.gl",
        "tinyurl.com",
        "t.co",
        "ow.ly",
        "is.gd",
        "v.gd",
        "buff.ly",
        "adf.ly",
        "shorte.st",
        "cutt.ly",
        "rebrand.ly",
        "tiny.cc",
        "t.ly",
        "rb.gy",
        "s.id",
        "lnkd.in",
        "linkbucks.com",
        "adfoc.us",
        "soo.gd",
        "clck.ru",
    }
)
# Second-level labels under country codes that are registries, not names (example.co.uk).
_REGISTRY_LABELS = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"})

_MARKDOWN_LINK = re.compile(r"\[([^\]\n]{0,300})\]\(\s*<?((?:https?://|www\.)[^)\s>]+)>?[^)]*\)")
_HTML_LINK = re.compile(
    r"<a\b[^>]*?href\s*=\s*[\"']?((?:https?://|www\.)[^\"'\s>]+)[^>]*>(.{0,300}?)</a\s*>",
    re.I | re.S,
)
_BARE_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'\]\)]+|\b(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|ly|co|uk|ru)\b"
    r"(?:/[^\s<>\"'\]\)]*)?",
    re.I,
)
_HOST = re.compile(r"^(?:https?://)?(?:[^@/\s]*@)?([^/:?#\s]+)", re.I)
# Words that sell: the calls to action of link spam. A link to an unknown site introduced
# by them is evidence independent of the learned model (it is a fixed list).
SELLING_WORDS = frozenset(
    {
        "buy",
        "cheap",
        "cheapest",
        "discount",
        "coupon",
        "promo",
        "sale",
        "giveaway",
        "prize",
        "followers",
        "subscribers",
        "casino",
        "viagra",
        "cialis",
        "loan",
        "loans",
        "earn",
        "income",
        "forex",
        "porn",
        "dating",
        "generator",
    }
)
_WORDS = re.compile(r"[^\W\d_]+")
_REFERRAL = re.compile(
    r"[?&/#](?:ref|refer|referral|aff|affiliate|friend|invite|r)(?:[=/]|id=)", re.I
)


@dataclass(frozen=True)
class Link:
    url: str
    host: str  # lower case, no "www.", no port
    domain: str  # the registered name: en.wikipedia.org -> wikipedia.org
    start: int
    end: int
    anchor: str = ""  # the visible words of a Markdown or HTML link


def host_of(url: str) -> str:
    match = _HOST.match(url.strip())
    host = (match.group(1) if match else "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def registered_domain(host: str) -> str:
    """The name a site registered: the last two labels, three under a registry label."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _REGISTRY_LABELS:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _matches(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def is_reference(host: str) -> bool:
    return _matches(host, REFERENCE_DOMAINS) or host.endswith(REFERENCE_SUFFIXES)


def is_shortener(host: str) -> bool:
    return host in SHORTENER_DOMAINS


@lru_cache(maxsize=4096)
def find_links(text: str) -> tuple[Link, ...]:
    """Every link in the text, Markdown and HTML links with their anchor words, in order.

    Cached: the campaign gate scans the site's recent comments for every new one.
    """
    found: list[Link] = []
    taken: list[tuple[int, int]] = []

    def add(url: str, start: int, end: int, anchor: str = "") -> None:
        host = host_of(url)
        if not host or "." not in host:
            return
        found.append(Link(url, host, registered_domain(host), start, end, anchor.strip()))
        taken.append((start, end))

    for match in _MARKDOWN_LINK.finditer(text):
        add(match.group(2), match.start(), match.end(), match.group(1))
    for match in _HTML_LINK.finditer(text):
        add(match.group(1), match.start(), match.end(), re.sub(r"<[^>]*>", " ", match.group(2)))
    for match in _BARE_URL.finditer(text):
        if not any(start <= match.start() < end for start, end in taken):
            add(match.group(0).rstrip(".,;:!?"), match.start(), match.end())
    found.sort(key=lambda link: link.start)
    return tuple(found)


@dataclass(frozen=True)
class LinkFacts:
    """How a comment's links look: kinds, share of the text, selling words around them."""

    links: tuple[Link, ...] = ()
    reference: int = 0  # to well-known reference sites
    own: int = 0  # to the site itself (its origins) or to domains its moderators approved
    shortener: int = 0
    other: int = 0  # anything else: unknown sites
    link_share: float = 0.0  # characters inside links / all characters
    ends_with_link: bool = False
    anchors: int = 0  # Markdown / HTML links with words of their own
    selling: tuple[str, ...] = ()  # selling words in the sentence of an unknown link
    words_outside: int = 0  # words of the comment outside its links
    referral: bool = False  # a link carries a referral / affiliate code

    @property
    def count(self) -> int:
        return len(self.links)

    def other_domains(self) -> list[str]:
        """Registered domains of the unknown and shortened links, each once, in order."""
        return list(dict.fromkeys(link.domain for link in self.links if _kind(link, ()) != "ref"))


def _kind(link: Link, trusted: Iterable[str]) -> str:
    if is_reference(link.host):
        return "ref"
    if _matches(link.host, trusted):
        return "own"
    if is_shortener(link.host):
        return "short"
    return "other"


def _sentence_around(text: str, link: Link) -> str:
    before = re.split(r"[.!?\n]\s", text[: link.start])[-1]
    after = re.split(r"[.!?\n]\s", text[link.end :])[0]
    return f"{before} {link.anchor} {after}"


@lru_cache(maxsize=1024)
def link_facts(text: str, trusted: tuple[str, ...] = ()) -> LinkFacts:
    """Facts about the links of `text`; `trusted` = the site's own and approved domains."""
    links = find_links(text)
    if not links:
        return LinkFacts()
    kinds = [_kind(link, trusted) for link in links]
    inside = sum(link.end - link.start for link in links) - sum(len(link.anchor) for link in links)
    selling: set[str] = set()
    for link, kind in zip(links, kinds, strict=True):
        if kind in ("other", "short"):
            words = {w.casefold() for w in _WORDS.findall(_sentence_around(text, link))}
            selling |= words & SELLING_WORDS
    return LinkFacts(
        links=tuple(links),
        reference=kinds.count("ref"),
        own=kinds.count("own"),
        shortener=kinds.count("short"),
        other=kinds.count("other"),
        link_share=min(inside / max(len(text.strip()), 1), 1.0),
        ends_with_link=not text[links[-1].end :].strip(" .,;:!?)\n"),
        anchors=sum(bool(link.anchor) for link in links),
        selling=tuple(sorted(selling)),
        words_outside=len(_WORDS.findall(_outside(text, links))),
        referral=any(_REFERRAL.search(link.url) for link in links),
    )


def _outside(text: str, links: tuple[Link, ...]) -> str:
    parts, last = [], 0
    for link in links:
        parts.append(text[last : link.start])
        parts.append(link.anchor)
        last = link.end
    parts.append(text[last:])
    return " ".join(parts)


def link_kind_token(link: Link) -> str:
    """The word the model reads in place of a link: its kind, then its domain's name."""
    kind = _kind(link, ())
    name = link.domain.split(".")[0]
    return f" {link.anchor} link{kind} {name} "


def rewrite_links(text: str) -> str:
    """The text with each link followed by its anchor words, its kind and its domain's name.

    A URL's characters (`http`, `www`, `.com`) alone teach the model that any link is spam;
    its kind (reference site, shortener, unknown site) is what tells citing from selling.
    The URL itself stays: replacing it cost the YouTube folds 0.005 MCC (docs/spam.md).
    """
    links = find_links(text)
    if not links:
        return text
    parts, last = [], 0
    for link in links:
        parts.append(text[last : link.start])
        parts.append(text[link.start : link.end])
        parts.append(link_kind_token(link))
        last = link.end
    parts.append(text[last:])
    return "".join(parts)
