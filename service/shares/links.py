"""Building one network's share link from a post: pure, so every network is unit-testable."""

from __future__ import annotations

from dataclasses import dataclass

from service.shares.targets import Target
from service.shares.text import add_utm, encode, fit_for, normalise


@dataclass(frozen=True)
class Post:
    """What is shared: the canonical URL and the words around it."""

    url: str
    title: str
    text: str = ""  # defaults to the title
    via: str = ""  # X handle without "@"
    hashtags: tuple[str, ...] = ()
    media: str = ""  # absolute image URL (Pinterest)
    utm: bool = False
    utm_campaign: str = "share"


def clean_handle(raw: object) -> str:
    return raw.strip().lstrip("@") if isinstance(raw, str) else ""


def clean_hashtags(raw: object) -> tuple[str, ...]:
    """Accept a list or a comma-separated string; drop `#`, spaces and empty tags."""
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list | tuple):
        return ()
    tags = ("".join(str(tag).split()).lstrip("#") for tag in raw)
    return tuple(tag for tag in tags if tag)


def _tail(target: Target, url: str, post: Post) -> str:
    """What follows the fitted text: written into it, or added (and counted) by the network."""
    tail = ""
    if target.hashtags_in_text and post.hashtags:
        tail += " " + " ".join(f"#{tag}" for tag in post.hashtags)
    if target.url_in_text:
        tail += target.separator + url
    limit = target.limit
    if limit and not target.url_in_text:
        # X composes "text url #tags via @handle"; Threads attaches the URL.
        if limit.counts_url_param:
            tail += " " + url
        if limit.counts_hashtags and post.hashtags:
            tail += " " + " ".join(f"#{tag}" for tag in post.hashtags)
        if limit.counts_via and post.via:
            tail += f" via @{post.via}"
    return tail


def share_values(target: Target, post: Post) -> dict[str, str]:
    """The field values for `target`, text fitted to its limit."""
    url = add_utm(post.url, target.id, post.utm_campaign) if post.utm else post.url
    tail = _tail(target, url, post)
    text = fit_for(post.text or post.title, target.limit, tail)
    if target.url_in_text:
        # The tail here is exactly what is written: " #tags" and separator + URL.
        text = (text + tail) if text else tail.lstrip()
    elif target.hashtags_in_text and post.hashtags:
        text += " " + " ".join(f"#{tag}" for tag in post.hashtags)
    if target.line_break != "\n":
        text = text.replace("\r\n", "\n").replace("\n", target.line_break)
    return {
        "url": url,
        # A title is one line everywhere (mail subject, Reddit and HN titles).
        "title": " ".join(normalise(post.title).split()),
        "text": text,
        "via": post.via,
        "hashtags": ",".join(post.hashtags),
        "media": post.media,
    }


def build_link(target: Target, post: Post, *, instance: str = "", fallback: bool = False) -> str:
    """The ready link; empty fields are left out rather than sent blank.

    `instance` must already be a validated hostname (targets.valid_instance_host). Without
    one, an instance network gets its fixed-host picker when `fallback` is set, else "".
    """
    base = target.base
    if target.needs_instance:
        if instance:
            base = base.replace("{instance}", instance)
        elif fallback and target.fallback_base:
            base = target.fallback_base
        else:
            return ""
    values = share_values(target, post)
    query = "&".join(
        f"{name}={field[1:]}" if field.startswith("=") else f"{name}={encode(values[field])}"
        for name, field in target.params
        if field.startswith("=") or values[field]
    )
    return f"{base}?{query}" if query else base
