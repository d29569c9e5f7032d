"""Preview-tag checker: read a page's Open Graph / Twitter Card tags, say what each network
will show and what is missing or wrong.

Rules come from the networks' docs as summarised in shared/reference/share-targets.md §2
(Facebook: image ≥ 200×200, ≥ 600×315 for the large layout, ~1.91:1; X: summary_large_image
≥ 300×157, no SVG; X cuts titles at 70 characters). `read_tags` and `check` are pure;
`fetch_page` is the only network access and refuses non-http(s) and private addresses.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

from bs4 import BeautifulSoup

from service import outbound
from service.http.errors import ValidationError

FETCH_TIMEOUT_SECONDS = 5
FETCH_MAX_BYTES = 1_000_000  # the tags live in <head>; the rest of a big page is not needed
MAX_REDIRECTS = 3
# Common publishing guidance (Yoast, Moz), not a network's published limit: hence warnings.
TITLE_MOBILE = 60  # Facebook and LinkedIn cut longer titles on phones
TITLE_X = 70
DESCRIPTION_MAX = 200
# X's card specs (reference/share-targets.md): summary_large_image 2:1, 300×157 to
# 4096×4096; summary 1:1, at least 144×144; no SVG.
X_MAX_PIXELS = 4096
MAX_PIXEL_DIGITS = 6  # no image is a million pixels wide; int() refuses 4300+ digits
CARD_TYPES = ("summary", "summary_large_image", "app", "player")
NETWORKS = ("facebook", "x", "linkedin", "bluesky", "mastodon", "whatsapp", "telegram")
REQUEST_HEADERS = {"User-Agent": "TalkbackPreviewCheck/1.0", "Accept": "text/html"}


@dataclass(frozen=True)
class Page:
    url: str
    html: str


# --- fetching ------------------------------------------------------------------------------


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code, field="url")


def _target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path?query) of a URL we are willing to fetch."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # an unbalanced IPv6 bracket, a port past 65535
        raise _refuse("That is not a web address.", "invalid_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse("Only http(s) pages can be checked.", "unsupported_scheme")
    if parts.username or parts.password:
        raise _refuse("Addresses with a user name are not fetched.", "invalid_url")
    path = outbound.request_target(parts.path + (f"?{parts.query}" if parts.query else ""))
    return parts.scheme, parts.hostname, port, path


def _decode(body: bytes, charset: str | None) -> str:
    """The page's text in its declared charset; UTF-8 when it names one Python lacks."""
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except (LookupError, UnicodeError):  # an unknown name, or a codec such as "idna"
        return body.decode("utf-8", errors="replace")


def _read_within(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    """At most `max_bytes`, and no later than `deadline`: the socket timeout bounds each read,
    not the whole body, so a server dripping a byte at a time is cut off here."""
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes:
        if time.monotonic() > deadline:
            raise _refuse("The page took too long to send.", "fetch_failed")
        chunk = response.read1(min(64 * 1024, max_bytes - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _get(url: str, *, allow_private: bool, timeout: float, max_bytes: int) -> Page | str:
    """One hop: the page, or the URL a redirect points to."""
    scheme, host, port, path = _target(url)
    try:
        connection = outbound.connect(
            scheme, host, port, timeout=timeout, allow_private=allow_private
        )
    except outbound.OutboundRefused:
        raise _refuse(
            "The address is private, loopback or reserved; it is not fetched.",
            "private_address",
        ) from None
    except outbound.OutboundUnresolvable:
        raise _refuse(f"Cannot resolve {host}.", "unresolvable_host") from None
    except outbound.OutboundUnreachable as error:
        raise _refuse(f"The page could not be fetched ({error}).", "fetch_failed") from None
    try:
        connection.request("GET", path, headers=REQUEST_HEADERS)
        response = connection.getresponse()
        if 300 <= response.status < 400 and response.getheader("Location"):
            try:
                return urljoin(url, response.getheader("Location"))
            except ValueError:
                raise _refuse("The page redirects to a malformed address.", "invalid_url") from None
        if response.status >= 300:
            raise _refuse(f"The page answered HTTP {response.status}.", "fetch_failed")
        content_type = response.headers.get_content_type()
        if content_type not in ("text/html", "application/xhtml+xml"):
            raise _refuse(f"The page is {content_type}, not HTML.", "not_html")
        body = _read_within(response, max_bytes, time.monotonic() + timeout * 2)
        return Page(url=url, html=_decode(body, response.headers.get_content_charset()))
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise _refuse(f"The page could not be fetched ({error}).", "fetch_failed") from None
    finally:
        connection.close()


def fetch_page(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = FETCH_TIMEOUT_SECONDS,
    max_bytes: int = FETCH_MAX_BYTES,
) -> Page:
    """GET an HTML page (at most `max_bytes`, `MAX_REDIRECTS` hops, `timeout` seconds each).

    Every hop is checked like the first (see `service.outbound`): its host must resolve to
    public addresses only, and the connection goes to one of the addresses checked.
    """
    for _ in range(MAX_REDIRECTS + 1):
        result = _get(url, allow_private=allow_private, timeout=timeout, max_bytes=max_bytes)
        if isinstance(result, Page):
            return result
        url = result
    raise _refuse("Too many redirects.", "too_many_redirects")


# --- reading and judging -------------------------------------------------------------------


def read_tags(html: str, page_url: str = "") -> dict:
    """The first value of every og:/twitter:/article: meta tag, plus <title> and canonical."""
    soup = BeautifulSoup(html, "html.parser")
    meta: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or "").strip().lower()
        content = tag.get("content")
        if key and content is not None and key not in meta:
            meta[key] = content.strip()
    canonical = soup.find("link", rel="canonical")
    title = soup.title.string.strip() if soup.title and soup.title.string else ""
    return {
        "page_url": page_url,
        "title": title,
        "canonical": canonical.get("href", "").strip() if canonical else "",
        "meta": meta,
    }


def _split(value: str) -> SplitResult | None:
    """The parts of a tag's URL, or None when it cannot be parsed (`http://[`)."""
    try:
        return urlsplit(value)
    except ValueError:
        return None


def _absolute_https(value: str) -> tuple[bool, bool]:
    parts = _split(value)
    if parts is None:
        return False, False
    return parts.scheme in ("http", "https") and bool(parts.netloc), parts.scheme == "https"


def _pixels(value: str) -> int | None:
    """A positive size in pixels, or None when the tag is missing or holds no such size
    ("0", "²", "-5", a 5000-digit number), which the checker reports as an unknown size."""
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_PIXEL_DIGITS):
        return None
    return int(value) or None


def _is_svg(url: str) -> bool:
    parts = _split(url)
    return parts is not None and parts.path.lower().endswith(".svg")


def _check_x_card_image(problem, card: str, width: int, height: int) -> None:
    if width > X_MAX_PIXELS or height > X_MAX_PIXELS:
        problem(
            "error",
            "image_too_large_for_card",
            f"The image is {width}×{height}; X shows at most {X_MAX_PIXELS}×{X_MAX_PIXELS}.",
            ("x",),
        )
    if card == "summary_large_image":
        if width < 300 or height < 157:
            problem(
                "error",
                "image_too_small_for_card",
                "summary_large_image needs at least 300×157.",
                ("x",),
            )
        if not 1.8 <= width / height <= 2.2:
            problem(
                "warning",
                "image_aspect_for_card",
                f"The image ratio is {width / height:.2f}:1; summary_large_image is 2:1.",
                ("x",),
            )
    elif card in ("", "summary"):
        if width < 144 or height < 144:
            problem(
                "error",
                "image_too_small_for_card",
                "A summary card needs at least 144×144.",
                ("x",),
            )
        if card == "summary" and not 0.9 <= width / height <= 1.1:
            problem(
                "warning",
                "image_aspect_for_card",
                f"The image ratio is {width / height:.2f}:1; a summary card is square (1:1).",
                ("x",),
            )


def check(tags: dict) -> dict:
    """What each network will show, and the problems (`error` breaks a preview, `warning`
    degrades it), each with a stable code and the networks it affects."""
    meta = tags["meta"]
    problems: list[dict] = []

    def problem(level: str, code: str, message: str, networks=NETWORKS) -> None:
        problems.append(
            {"level": level, "code": code, "message": message, "networks": list(networks)}
        )

    title = meta.get("og:title") or ""
    description = meta.get("og:description") or ""
    image = (
        meta.get("og:image") or meta.get("og:image:url") or meta.get("og:image:secure_url") or ""
    )
    width = _pixels(meta.get("og:image:width", ""))
    height = _pixels(meta.get("og:image:height", ""))
    card = meta.get("twitter:card", "")
    # X reads twitter:* first and falls back to og:*.
    x_image = meta.get("twitter:image") or image
    others = tuple(n for n in NETWORKS if n != "x")

    if not title:
        problem("error", "missing_og_title", "og:title is missing; networks fall back to <title>.")
    elif len(title) > TITLE_X:
        problem(
            "warning",
            "title_too_long",
            f"og:title has {len(title)} characters; X cuts at {TITLE_X}.",
        )
    elif len(title) > TITLE_MOBILE:
        problem(
            "warning",
            "title_long",
            f"og:title has {len(title)} characters; phones show about {TITLE_MOBILE}.",
            ("facebook", "linkedin"),
        )
    if not description:
        problem("warning", "missing_og_description", "og:description is missing.")
    elif len(description) > DESCRIPTION_MAX:
        problem(
            "warning",
            "description_long",
            f"og:description has {len(description)} characters; previews show about {DESCRIPTION_MAX}.",
        )
    for key in ("og:type", "og:site_name"):
        if not meta.get(key):
            problem("warning", f"missing_{key.replace(':', '_')}", f"{key} is missing.")
    og_url = meta.get("og:url", "")
    if not og_url:
        problem("warning", "missing_og_url", "og:url is missing; shares may split between URLs.")
    elif not _absolute_https(og_url)[0]:
        problem("error", "og_url_not_absolute", "og:url must be an absolute URL.")
    elif tags.get("canonical") and tags["canonical"].rstrip("/") != og_url.rstrip("/"):
        problem("warning", "og_url_not_canonical", "og:url differs from <link rel=canonical>.")

    if not image:
        problem(
            "error",
            "missing_og_image",
            "og:image is missing: no picture in any preview.",
            others if x_image else NETWORKS,
        )
    # X shows twitter:image when there is one, Facebook og:image: each is judged on its own.
    svg_for = tuple(n for n, url in (("x", x_image), ("facebook", image)) if _is_svg(url))
    if svg_for:
        problem("error", "image_svg", "SVG images are not shown by X or Facebook.", svg_for)
    if image:
        absolute, https = _absolute_https(image)
        if not absolute:
            problem("error", "image_not_absolute", "og:image must be an absolute URL.")
        elif not https:
            problem("warning", "image_not_https", "og:image should use https.")
        if width is None or height is None:
            problem(
                "warning",
                "image_size_unknown",
                "og:image:width/height are missing or invalid; Facebook may show no image on the first share.",
                ("facebook",),
            )
        else:
            if width < 200 or height < 200:
                problem(
                    "error",
                    "image_too_small",
                    f"The image is {width}×{height}; Facebook needs at least 200×200.",
                    ("facebook",),
                )
            elif width < 600 or height < 315:
                problem(
                    "warning",
                    "image_small",
                    f"The image is {width}×{height}; below 600×315 Facebook shows a small thumbnail.",
                    ("facebook", "linkedin"),
                )
            if not 1.6 <= width / height <= 2.2:
                problem(
                    "warning",
                    "image_aspect",
                    f"The image ratio is {width / height:.2f}:1; large previews are 1.91:1.",
                    ("facebook", "linkedin"),
                )
            if x_image == image:  # the given size is the picture X shows
                _check_x_card_image(problem, card, width, height)
        if not meta.get("og:image:alt") and not meta.get("twitter:image:alt"):
            problem("warning", "missing_image_alt", "og:image:alt is missing (screen readers).")
    if not card:
        problem(
            "warning",
            "missing_twitter_card",
            "twitter:card is missing; X shows a small summary card.",
            ("x",),
        )
    elif card not in CARD_TYPES:
        problem(
            "error", "invalid_twitter_card", f"twitter:card {card!r} is not a card type.", ("x",)
        )

    large = bool(image) and (width or 0) >= 600 and (height or 0) >= 315
    shows = {
        network: {
            "title": title or tags.get("title", ""),
            "description": description,
            "image": image,
            "layout": ("large" if large else "small") if image else "text",
        }
        for network in NETWORKS
    }
    shows["x"] = {
        "title": meta.get("twitter:title") or title or tags.get("title", ""),
        "description": meta.get("twitter:description") or description,
        "image": x_image,
        "layout": card or "summary",
    }
    if meta.get("fediverse:creator"):
        shows["mastodon"]["author"] = meta["fediverse:creator"]
    return {
        "url": tags.get("page_url") or og_url,
        "ok": not any(p["level"] == "error" for p in problems),
        "networks": shows,
        "problems": problems,
        "tags": {
            key: value
            for key, value in meta.items()
            if key.startswith(("og:", "twitter:", "article:"))
        },
    }
