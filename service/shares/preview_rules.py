"""Preview-tag checker, second half: what each network will show for a page's tags, and what
is missing or wrong, one small function per rule.

Rules come from the networks' docs as summarised in shared/reference/share-targets.md §2
(Facebook: image ≥ 200×200, ≥ 600×315 for the large layout, ~1.91:1; X: summary_large_image
≥ 300×157, no SVG; X cuts titles at 70 characters). Everything here is pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

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


@dataclass(frozen=True)
class _Page:
    """The tags a preview is built from, read once for every rule below."""

    tags: dict
    meta: dict
    title: str
    description: str
    image: str
    x_image: str  # X reads twitter:* first and falls back to og:*
    width: int | None
    height: int | None
    card: str

    @classmethod
    def of(cls, tags: dict) -> _Page:
        meta = tags["meta"]
        image = (
            meta.get("og:image")
            or meta.get("og:image:url")
            or meta.get("og:image:secure_url")
            or ""
        )
        return cls(
            tags=tags,
            meta=meta,
            title=meta.get("og:title") or "",
            description=meta.get("og:description") or "",
            image=image,
            x_image=meta.get("twitter:image") or image,
            width=_pixels(meta.get("og:image:width", "")),
            height=_pixels(meta.get("og:image:height", "")),
            card=meta.get("twitter:card", ""),
        )


class _Problems(list):
    def add(self, level: str, code: str, message: str, networks=NETWORKS) -> None:
        self.append({"level": level, "code": code, "message": message, "networks": list(networks)})


def _check_title(page: _Page, problem) -> None:
    title = page.title
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


def _check_description(page: _Page, problem) -> None:
    if not page.description:
        problem("warning", "missing_og_description", "og:description is missing.")
    elif len(page.description) > DESCRIPTION_MAX:
        problem(
            "warning",
            "description_long",
            f"og:description has {len(page.description)} characters; previews show about {DESCRIPTION_MAX}.",
        )


def _check_page_identity(page: _Page, problem) -> None:
    for key in ("og:type", "og:site_name"):
        if not page.meta.get(key):
            problem("warning", f"missing_{key.replace(':', '_')}", f"{key} is missing.")
    og_url = page.meta.get("og:url", "")
    canonical = page.tags.get("canonical")
    if not og_url:
        problem("warning", "missing_og_url", "og:url is missing; shares may split between URLs.")
    elif not _absolute_https(og_url)[0]:
        problem("error", "og_url_not_absolute", "og:url must be an absolute URL.")
    elif canonical and canonical.rstrip("/") != og_url.rstrip("/"):
        problem("warning", "og_url_not_canonical", "og:url differs from <link rel=canonical>.")


def _check_image_present(page: _Page, problem) -> None:
    if not page.image:
        others = tuple(n for n in NETWORKS if n != "x")
        problem(
            "error",
            "missing_og_image",
            "og:image is missing: no picture in any preview.",
            others if page.x_image else NETWORKS,
        )
    # X shows twitter:image when there is one, Facebook og:image: each is judged on its own.
    pictures = (("x", page.x_image), ("facebook", page.image))
    svg_for = tuple(n for n, url in pictures if _is_svg(url))
    if svg_for:
        problem("error", "image_svg", "SVG images are not shown by X or Facebook.", svg_for)


def _check_image_url(page: _Page, problem) -> None:
    absolute, https = _absolute_https(page.image)
    if not absolute:
        problem("error", "image_not_absolute", "og:image must be an absolute URL.")
    elif not https:
        problem("warning", "image_not_https", "og:image should use https.")


def _check_image_size(page: _Page, problem) -> None:
    width, height = page.width, page.height
    if width is None or height is None:
        problem(
            "warning",
            "image_size_unknown",
            "og:image:width/height are missing or invalid; Facebook may show no image on the first share.",
            ("facebook",),
        )
        return
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
    if page.x_image == page.image:  # the given size is the picture X shows
        _check_x_card_image(problem, page.card, width, height)


def _check_image(page: _Page, problem) -> None:
    if not page.image:
        return
    _check_image_url(page, problem)
    _check_image_size(page, problem)
    if not page.meta.get("og:image:alt") and not page.meta.get("twitter:image:alt"):
        problem("warning", "missing_image_alt", "og:image:alt is missing (screen readers).")


def _check_twitter_card(page: _Page, problem) -> None:
    if not page.card:
        problem(
            "warning",
            "missing_twitter_card",
            "twitter:card is missing; X shows a small summary card.",
            ("x",),
        )
    elif page.card not in CARD_TYPES:
        message = f"twitter:card {page.card!r} is not a card type."
        problem("error", "invalid_twitter_card", message, ("x",))


# In the order their problems are listed.
RULES = (
    _check_title,
    _check_description,
    _check_page_identity,
    _check_image_present,
    _check_image,
    _check_twitter_card,
)


def _previews(page: _Page) -> dict:
    """What each network shows: title, description, image and the layout it picks."""
    title = page.title or page.tags.get("title", "")
    large = bool(page.image) and (page.width or 0) >= 600 and (page.height or 0) >= 315
    shows = {
        network: {
            "title": title,
            "description": page.description,
            "image": page.image,
            "layout": ("large" if large else "small") if page.image else "text",
        }
        for network in NETWORKS
    }
    shows["x"] = {
        "title": page.meta.get("twitter:title") or title,
        "description": page.meta.get("twitter:description") or page.description,
        "image": page.x_image,
        "layout": page.card or "summary",
    }
    if page.meta.get("fediverse:creator"):
        shows["mastodon"]["author"] = page.meta["fediverse:creator"]
    return shows


def check(tags: dict) -> dict:
    """What each network will show, and the problems (`error` breaks a preview, `warning`
    degrades it), each with a stable code and the networks it affects."""
    page = _Page.of(tags)
    problems = _Problems()
    for rule in RULES:
        rule(page, problems.add)
    return {
        "url": tags.get("page_url") or page.meta.get("og:url", ""),
        "ok": not any(p["level"] == "error" for p in problems),
        "networks": _previews(page),
        "problems": list(problems),
        "tags": {
            key: value
            for key, value in page.meta.items()
            if key.startswith(("og:", "twitter:", "article:"))
        },
    }
