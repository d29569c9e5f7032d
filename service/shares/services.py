"""Share menus for posts, counted share redirects, permalinks, QR codes and share statistics."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from service.accounts.models import Site
from service.comments.models import Comment, Status, Thread
from service.comments.schemas import parse_thread_uri
from service.comments.services import get_or_create_thread
from service.extensions import db
from service.http.errors import NotFound, ValidationError
from service.http.validation import BIDI_CONTROLS, CONTROL_CHARS, id_or_none
from service.shares.links import Post, build_link, clean_handle, clean_hashtags, share_values
from service.shares.models import ShareClick
from service.shares.qr import qr_fits
from service.shares.targets import ACTIONS, Target, enabled_targets, valid_instance_host
from service.shares.text import canonicalise_url
from service.timeutil import utcnow

MAX_TITLE = 300
MAX_URL = 2048
MAX_STATS_DAYS = 366


# --- which page is shared ------------------------------------------------------------------


def _origin(url: str) -> str:
    parts = urlsplit(canonicalise_url(url))
    return f"{parts.scheme}://{parts.netloc}"


def site_origins(site: Site) -> list[str]:
    return [_origin(origin) for origin in site.allowed_origins or [] if isinstance(origin, str)]


def page_url(site: Site, thread: Thread) -> str:
    """The page's public address: the thread's canonical URL, else the site's first origin."""
    if thread.canonical_url:
        return canonicalise_url(thread.canonical_url)
    origins = site_origins(site)
    return canonicalise_url(origins[0] + thread.uri) if origins else ""


def _parse_page_url(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError("url is required.", code="missing_field", field="url")
    if len(raw) > MAX_URL or CONTROL_CHARS.search(raw) or any(c.isspace() for c in raw.strip()):
        raise ValidationError("url is not a valid address.", code="invalid_url", field="url")
    try:
        url = canonicalise_url(raw)
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # a bad port or an unbalanced IPv6 bracket
        valid = False
    if not valid:
        raise ValidationError("url must be an http(s) address.", code="invalid_url", field="url")
    return url


def parse_title(raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationError("title must be a string.", code="invalid_type", field="title")
    title = " ".join(BIDI_CONTROLS.sub("", CONTROL_CHARS.sub("", raw)).split())
    if len(title) > MAX_TITLE:
        raise ValidationError(
            f"title is longer than {MAX_TITLE} characters.", code="too_long", field="title"
        )
    return title


def thread_for_url(site: Site, raw_url: object, title: str = "") -> tuple[Thread, str]:
    """The thread of a page of this site, created (like a first comment would) if new.

    A page belongs to the site when it is a thread's canonical URL or lies under one of
    the site's allowed origins; anything else is refused, so the API never builds share
    links for somebody else's pages. Returns the thread and the URL to share: the thread's
    canonical URL if it has one, else the given URL without fragment and tracking parameters.
    """
    url = _parse_page_url(raw_url)
    thread = db.session.scalar(
        select(Thread).where(Thread.site_id == site.id, Thread.canonical_url == url)
    )
    if thread is not None:
        return thread, url
    if _origin(url) not in site_origins(site):
        raise ValidationError(
            "url is not a page of this site (see its allowed origins).",
            code="url_not_on_site",
            field="url",
        )
    uri = parse_thread_uri(urlsplit(url).path, field="url")
    thread = get_or_create_thread(site, uri, title)
    db.session.commit()
    return thread, canonicalise_url(thread.canonical_url) if thread.canonical_url else url


def get_thread(site: Site | None, raw_id: object) -> Thread:
    """A thread of this site; another site's thread is as missing as one that never was."""
    thread_id = id_or_none(raw_id)
    thread = db.session.get(Thread, thread_id) if thread_id else None
    if thread is not None and site is None:
        return thread
    if thread is None or thread.site_id != site.id:
        raise NotFound("No such post on this site.", code="unknown_thread")
    return thread


def post_for(site: Site, thread: Thread, title: str = "", text: str = "", url: str = "") -> Post:
    """What to share for a thread, with the site's handle, hashtags, image and UTM choice."""
    url = url or page_url(site, thread)
    if not url:
        raise NotFound("This site has no public address for the post.", code="no_page_url")
    settings = site.settings or {}
    media = settings.get("share_image")
    media = media if isinstance(media, str) and media.startswith("https://") else ""
    campaign = settings.get("share_utm_campaign")
    return Post(
        url=url,
        title=title or thread.title or url,
        text=text,
        via=clean_handle(settings.get("share_via")),
        hashtags=clean_hashtags(settings.get("share_hashtags")),
        media=media,
        utm=settings.get("share_utm") is True,
        utm_campaign=campaign if isinstance(campaign, str) and campaign else "share",
    )


# --- the menu ------------------------------------------------------------------------------


def click_path(site: Site, thread: Thread, target: Target, words: str = "") -> str:
    path = f"/s/{site.slug}/{thread.id}/{target.id}"
    return f"{path}?{urlencode({'w': words})}" if words else path


def _signed_words(thread: Thread, post: Post) -> str:
    """The menu's own title and text, signed for its counted links; "" when stored ones do.

    A thread's stored title is whatever the first visitor sent, so the counted redirect
    must not put it in every reader's post when the reader's own page said otherwise.
    Signed, so a crafted link cannot make the redirect say anything this service was not
    asked to say for that thread by a menu request.
    """
    if post.title == (thread.title or post.url) and not post.text:
        return ""
    return _words_signer().dumps({"thread": thread.id, "title": post.title, "text": post.text})


def _words_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="talkback.share-words")


def _words_for(thread: Thread, signed: str | None) -> tuple[str, str]:
    """(title, text) from a counted link's signed words, or ("", "") to use the stored ones."""
    if not signed:
        return "", ""
    try:
        words = _words_signer().loads(signed)
    except BadSignature:
        return "", ""
    if not isinstance(words, dict) or words.get("thread") != thread.id:
        return "", ""
    title, text = words.get("title"), words.get("text")
    return (title if isinstance(title, str) else ""), (text if isinstance(text, str) else "")


def share_menu(site: Site, thread: Thread, post: Post, base_url: str, instance: str = "") -> dict:
    """Every enabled target's ready link and label, plus the copy and native-sheet actions.

    `href` goes straight to the network; `click_url` goes through our counter first (the
    menu uses it). Instance networks carry `instance_template` and their fitted `text`
    so share.js can build the link for the server the reader picks.
    """
    base_url = base_url.rstrip("/")
    words = _signed_words(thread, post)
    targets = []
    for target in enabled_targets(site.settings):
        entry = {
            "id": target.id,
            "name": target.name,
            "label": target.accessible_label,
            "href": build_link(target, post, instance=instance, fallback=True),
            "click_url": base_url + click_path(site, thread, target, words),
            "needs_instance": target.needs_instance,
            "mobile_only": target.mobile_only,
            "popup": {"width": target.popup[0], "height": target.popup[1]}
            if target.popup
            else None,
        }
        if target.needs_instance:
            entry["instance_template"] = target.template
            entry["text"] = share_values(target, post)["text"]
        targets.append(entry)
    permalink = f"{base_url}/p/{thread.id}"
    return {
        "site": site.slug,
        "thread": {"id": thread.id, "uri": thread.uri, "title": thread.title},
        "url": post.url,
        "title": post.title,
        "permalink": permalink,
        # None when the page's address is too long for a QR code: the menu leaves it out.
        "qr_svg": f"{base_url}/api/v1/sites/{site.slug}/threads/{thread.id}/qr.svg"
        if qr_fits(page_url(site, thread))
        else None,
        "targets": targets,
        "actions": [
            {"id": action.id, "name": action.name, "label": action.label} for action in ACTIONS
        ],
    }


def menu_for_page(site: Site, uri: str, title: str, base_url: str) -> dict | None:
    """The share menu for one of the site's own pages (server-rendered templates), or None
    when the site has no public address to share."""
    thread = get_or_create_thread(site, uri, title)
    db.session.commit()
    try:
        post = post_for(site, thread, title)
    except NotFound:
        return None
    return share_menu(site, thread, post, base_url)


def parse_instance(raw: object) -> str:
    if raw in (None, ""):
        return ""
    host = valid_instance_host(raw)
    if host is None:
        raise ValidationError(
            "instance must be a server's host name, like mastodon.social.",
            code="invalid_instance",
            field="instance",
        )
    return host


# --- counted redirects ---------------------------------------------------------------------


def record_click(site_id: int, thread_id: int, network: str, day: date | None = None) -> None:
    """Add one click with a single atomic UPSERT, so concurrent clicks never lose an update."""
    values = {
        "site_id": site_id,
        "thread_id": thread_id,
        "network": network,
        "day": day or utcnow().date(),
        "count": 1,
    }
    # Each dialect's upsert, imported for the database in use only.
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (
        insert(ShareClick)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["thread_id", "network", "day"],
            set_={"count": ShareClick.count + 1},
        )
    )
    db.session.execute(statement)
    db.session.commit()


def share_redirect(
    site: Site, raw_thread_id: object, network: str, signed_words: str | None = None
) -> tuple[Thread, str]:
    """The network URL for a thread of this site, built from stored data and signed words.

    Only the path's three ids and the words a menu request signed for this thread are
    read, so no query parameter can choose where the reader is sent or, unsigned, what
    the post says. Instance networks go to their fixed-host picker.
    """
    thread = get_thread(site, raw_thread_id)
    target = next((t for t in enabled_targets(site.settings) if t.id == network), None)
    if target is None:
        raise NotFound("No such share target.", code="unknown_network")
    title, text = _words_for(thread, signed_words)
    location = build_link(target, post_for(site, thread, title, text), fallback=True)
    return thread, location


def count_and_redirect(
    site: Site, raw_thread_id: object, network: str, signed_words: str | None = None
) -> str:
    thread, location = share_redirect(site, raw_thread_id, network, signed_words)
    record_click(site.id, thread.id, network)
    return location


# --- permalinks and QR codes ---------------------------------------------------------------


def permalink_location(site: Site, thread: Thread, raw_comment_id: object = None) -> str:
    url = page_url(site, thread)
    if not url:
        raise NotFound("This site has no public address for the post.", code="no_page_url")
    if raw_comment_id is None:
        return url
    comment_id = id_or_none(raw_comment_id)
    comment = db.session.get(Comment, comment_id) if comment_id else None
    if comment is None or comment.thread_id != thread.id or comment.status != Status.APPROVED:
        raise NotFound("No such comment on this post.", code="unknown_comment")
    return f"{url}#comment-{comment.id}"


# --- statistics ----------------------------------------------------------------------------


def share_stats(site: Site, days: int = 30, today: date | None = None) -> dict:
    """Clicks per post and network over the last `days` days, with the per-day rows."""
    days = max(1, min(days, MAX_STATS_DAYS))
    today = today or utcnow().date()
    since = today - timedelta(days=days - 1)
    rows = db.session.execute(
        select(
            ShareClick.thread_id,
            Thread.uri,
            Thread.title,
            ShareClick.network,
            ShareClick.day,
            ShareClick.count,
        )
        .join(Thread, Thread.id == ShareClick.thread_id)
        .where(ShareClick.site_id == site.id, ShareClick.day >= since, ShareClick.day <= today)
        .order_by(ShareClick.thread_id, ShareClick.day, ShareClick.network)
    )
    threads: dict[int, dict] = {}
    totals: dict[str, int] = {}
    for thread_id, uri, title, network, day, count in rows:
        entry = threads.setdefault(
            thread_id,
            {
                "thread": {"id": thread_id, "uri": uri, "title": title},
                "total": 0,
                "networks": {},
                "days": [],
            },
        )
        entry["total"] += count
        entry["networks"][network] = entry["networks"].get(network, 0) + count
        entry["days"].append({"day": day.isoformat(), "network": network, "count": count})
        totals[network] = totals.get(network, 0) + count
    ranked = sorted(threads.values(), key=lambda entry: (-entry["total"], entry["thread"]["id"]))
    return {
        "site": site.slug,
        "since": since.isoformat(),
        "until": today.isoformat(),
        "total": sum(totals.values()),
        "networks": totals,
        "threads": ranked,
    }
