"""The registry of share targets: one frozen entry per network, plus the two browser actions.

Facts (hosts, parameters, limits) come from /work/shared/reference/share-targets.md, gathered
on 2026-11-25 from the networks' docs and five share libraries; each entry names its source.
Pure data and pure helpers: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

VERIFIED = date(2026, 11, 25)

# Units a TextLimit can count in (see service.shares.text.measure).
WEIGHTED = "weighted"  # X: CJK and emoji weigh 2, every URL 23 (docs.x.com counting-characters)
GRAPHEMES = "graphemes"  # Bluesky: user-perceived characters
CHARS = "chars"  # code points after NFC (Threads, Mastodon)


@dataclass(frozen=True)
class TextLimit:
    max_length: int
    unit: str
    # Every URL counts this many characters (t.co for X, Mastodon's fixed 23); None = as written.
    url_length: int | None = None
    # What the network adds to the text on its own and counts against the limit (X only):
    # the `url` parameter, "via @handle" and the `hashtags` parameter.
    counts_url_param: bool = False
    counts_via: bool = False
    counts_hashtags: bool = False


@dataclass(frozen=True)
class Target:
    id: str
    name: str
    base: str  # scheme, host and path; `{instance}` for networks on a user-chosen server
    # (query parameter, field) in order; a field starting with "=" is a literal value.
    params: tuple[tuple[str, str], ...]
    source: str
    limit: TextLimit | None = None
    # Networks with only a text field get the URL (and hashtags) inside the text.
    url_in_text: bool = False
    hashtags_in_text: bool = False
    separator: str = " "
    # RFC 6068: a mailto body breaks lines with CRLF (%0D%0A).
    line_break: str = "\n"
    needs_instance: bool = False
    # Zero-JS stand-in for instance networks: a picker on a fixed host that asks the reader.
    fallback_base: str = ""
    mobile_only: bool = False
    # Popup size for share.js; None opens in place (mail and SMS hand over to an app).
    popup: tuple[int, int] | None = (600, 540)
    label: str = ""
    last_verified: date = VERIFIED

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(field for _, field in self.params if not field.startswith("="))

    @property
    def template(self) -> str:
        query = "&".join(
            f"{name}={field[1:]}" if field.startswith("=") else f"{name}={{{field}}}"
            for name, field in self.params
        )
        return f"{self.base}?{query}"

    @property
    def accessible_label(self) -> str:
        return self.label or f"Share on {self.name}"


@dataclass(frozen=True)
class Action:
    """Things the reader's browser does itself; they have no URL template."""

    id: str
    name: str
    label: str
    source: str
    last_verified: date = VERIFIED


X_DOCS = "docs.x.com web-intent and counting-characters"

TARGETS: tuple[Target, ...] = (
    Target(
        "x",
        "X",
        "https://x.com/intent/tweet",
        (("text", "text"), ("url", "url"), ("via", "via"), ("hashtags", "hashtags")),
        source=X_DOCS,
        limit=TextLimit(
            280, WEIGHTED, 23, counts_url_param=True, counts_via=True, counts_hashtags=True
        ),
        popup=(550, 420),
    ),
    Target(
        "facebook",
        "Facebook",
        "https://www.facebook.com/sharer/sharer.php",
        (("u", "url"),),
        source="shareon, react-share, sharer.js (preview comes from OG tags)",
        popup=(600, 500),
    ),
    Target(
        "linkedin",
        "LinkedIn",
        "https://www.linkedin.com/sharing/share-offsite/",
        (("url", "url"),),
        source="shareon, Shariff (url only; preview from OG tags)",
    ),
    Target(
        "reddit",
        "Reddit",
        "https://www.reddit.com/submit",
        (("url", "url"), ("title", "title")),
        source="shareon, react-share 5.3.0, sharer.js, Shariff",
        popup=(850, 660),
    ),
    Target(
        "hackernews",
        "Hacker News",
        "https://news.ycombinator.com/submitlink",
        (("u", "url"), ("t", "title")),
        source="shareon 2.6.0, sharer.js",
        popup=(800, 600),
    ),
    Target(
        "whatsapp",
        "WhatsApp",
        "https://wa.me/",
        (("text", "text"),),
        source="faq.whatsapp.com click-to-chat; shareon, sharer.js",
        url_in_text=True,
    ),
    Target(
        "telegram",
        "Telegram",
        "https://t.me/share/url",
        (("url", "url"), ("text", "text")),
        source="core.telegram.org/widgets/share",
    ),
    Target(
        "bluesky",
        "Bluesky",
        "https://bsky.app/intent/compose",
        (("text", "text"),),
        source="docs.bsky.app intent-links",
        limit=TextLimit(300, GRAPHEMES),
        url_in_text=True,
        hashtags_in_text=True,
    ),
    Target(
        "threads",
        "Threads",
        "https://www.threads.com/intent/post",
        (("text", "text"), ("url", "url")),
        source="developers.facebook.com threads-web-intents (Mar 2026)",
        # The attached URL is counted too: undocumented, so we stay on the safe side.
        limit=TextLimit(500, CHARS, counts_url_param=True),
        hashtags_in_text=True,
    ),
    Target(
        "mastodon",
        "Mastodon",
        "https://{instance}/share",
        (("text", "text"),),
        source="Mastodon server share route; docs.joinmastodon.org; share.joinmastodon.org",
        limit=TextLimit(500, CHARS, 23),
        url_in_text=True,
        hashtags_in_text=True,
        needs_instance=True,
        fallback_base="https://share.joinmastodon.org/",
    ),
    Target(
        "pinterest",
        "Pinterest",
        "https://www.pinterest.com/pin/create/button/",
        (("url", "url"), ("media", "media"), ("description", "text")),
        source="developers.pinterest.com buttons; shareon, react-share",
        popup=(750, 550),
    ),
    Target(
        "tumblr",
        "Tumblr",
        "https://www.tumblr.com/widgets/share/tool",
        (("posttype", "=link"), ("canonicalUrl", "url"), ("title", "title"), ("tags", "hashtags")),
        source="shareon, react-share, sharer.js, Shariff",
    ),
    Target(
        "email",
        "Email",
        "mailto:",
        (("subject", "title"), ("body", "text")),
        source="RFC 6068 (line breaks as %0D%0A)",
        url_in_text=True,
        separator="\r\n\r\n",
        line_break="\r\n",
        popup=None,
        label="Share by email",
    ),
    Target(
        "sms",
        "SMS",
        "sms:",
        (("body", "text"),),
        source="RFC 5724; iOS also accepts sms:&body=",
        url_in_text=True,
        mobile_only=True,
        popup=None,
        label="Share by text message",
    ),
)

ACTIONS: tuple[Action, ...] = (
    Action("copy", "Get link", "Copy the link to this post", "Clipboard API (MDN)"),
    Action("native", "More apps", "Share with another app on this device", "Web Share API"),
)

# Closed services that some libraries still ship; never offered (a test checks this).
DEAD = frozenset(
    {"pocket", "skype", "googleplus", "stumbleupon", "digg", "delicious", "mix", "workplace"}
    | {"googlebookmarks", "tencent-weibo"}
)

BY_ID: dict[str, Target] = {target.id: target for target in TARGETS}

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def get_target(target_id: str) -> Target | None:
    return BY_ID.get(target_id)


def enabled_targets(settings: dict | None) -> tuple[Target, ...]:
    """The site's `share_targets` list (in its order) or every registered target."""
    wanted = (settings or {}).get("share_targets")
    if not isinstance(wanted, list) or not wanted:
        return TARGETS
    return tuple(BY_ID[name] for name in wanted if isinstance(name, str) and name in BY_ID)


def valid_instance_host(raw: object) -> str | None:
    """A bare DNS hostname (`mastodon.social`), or None.

    Refuses everything that could turn `https://{instance}/share` into another URL: a
    scheme, userinfo (`a@b`), a port, a path, backslashes, whitespace, IP literals and
    single-label names. Unicode names are converted to their IDNA (xn--) form.
    """
    if not isinstance(raw, str):
        return None
    host = raw.strip().rstrip(".").lower()
    if not host or len(host) > 253:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():  # 10.0.0.1 is an address, not a server name
        return None
    return host
