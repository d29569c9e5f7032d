"""CORS for the public comment API: a site's own allowed origins only, matched exactly.

The widget runs on the blog's origin and calls this service, so the browser asks first.
Nothing here allows credentials: the public API never reads cookies, so there are none to
send. The moderator API (bearer tokens, other blueprint) gets no CORS headers at all.

A page on an origin the site does not list is refused with 403 `origin_not_allowed`, and
that one error is readable cross-origin, so the widget can say why instead of failing
blind; the refusal is remembered for the owner's Sites page.
"""

from __future__ import annotations

from collections.abc import Set
from time import monotonic

from flask import Response, current_app, g, has_app_context, request
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from service.accounts.models import Site
from service.accounts.origins import record_refusal
from service.comments import page_cache
from service.comments.models import Comment
from service.extensions import db
from service.http.errors import Forbidden
from service.http.hosts import normalise_origin
from service.http.validation import id_or_none

PUBLIC_API_BLUEPRINT = "comments_api"
# Outside that blueprint, the share menu's JSON is the one thing the widget reads.
PUBLIC_ENDPOINTS = frozenset({"shares.share_links"})
ALLOWED_METHODS = "GET, POST, PATCH, DELETE"
ALLOWED_HEADERS = "Content-Type"
PREFLIGHT_MAX_AGE_SECONDS = "600"
ORIGINS_EXTENSION = "talkback_site_origins"
SITES_CHANGED = "talkback_sites_changed"
MAX_CACHED_SITES = 1000


def _origins(sites: list[list]) -> set[str]:
    found = (normalise_origin(origin) for origins in sites for origin in origins or [])
    return {origin for origin in found if origin}


def origins_for_request() -> Set[str]:
    """The origins allowed to call the endpoint being requested.

    Site-scoped URLs use that site's list; an author's own comment uses its site's list;
    the stateless preview accepts any origin some site allows.
    """
    args = request.view_args or {}
    if "site" in args:
        return site_origins(args["site"])
    if "comment_id" in args and (comment_id := id_or_none(args["comment_id"])):
        query = (
            select(Site.allowed_origins)
            .join(Comment, Comment.site_id == Site.id)
            .where(Comment.id == comment_id)
        )
    else:
        query = select(Site.allowed_origins)
    return _origins(list(db.session.scalars(query)))


def site_origins(slug: str) -> frozenset[str]:
    """A site's allowed origins, kept for ORIGINS_CACHE_SECONDS by each process (the
    widget's every call asks, twice): a change made in this process applies at its commit,
    one made in another within that time, as for cached pages (page_cache.py)."""
    cache = current_app.extensions.setdefault(ORIGINS_EXTENSION, {})
    now = monotonic()
    kept = cache.get(slug)
    if kept is not None and kept[0] > now:
        return kept[1]
    query = select(Site.allowed_origins).where(Site.slug == slug)
    origins = frozenset(_origins(list(db.session.scalars(query))))
    if len(cache) >= MAX_CACHED_SITES:
        cache.clear()  # made-up slugs must not grow it without end
    cache[slug] = (now + current_app.config["ORIGINS_CACHE_SECONDS"], origins)
    return origins


@event.listens_for(Session, "after_flush")
def _note_site_changes(session: Session, _context) -> None:
    if any(isinstance(obj, Site) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[SITES_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_changed_origins(session: Session) -> None:
    if session.info.pop(SITES_CHANGED, False) and has_app_context():
        current_app.extensions.pop(ORIGINS_EXTENSION, None)
        # The page front keeps whole answers, their CORS headers included.
        page_cache.forget_front_pages()


def _is_public_api() -> bool:
    return request.blueprint == PUBLIC_API_BLUEPRINT or request.endpoint in PUBLIC_ENDPOINTS


def _own_origin() -> str:
    return request.host_url.rstrip("/")


def refuse_unlisted_origins() -> None:
    """Before a site-scoped public call: 403 for a page on an origin the site does not list.

    Requests without Origin (servers, curl, same-origin GETs) and the service's own pages
    pass; preflights are left to the browser, which fails them without our headers.
    """
    origin = request.headers.get("Origin", "")
    args = request.view_args or {}
    if (
        not origin
        or request.method == "OPTIONS"
        or not _is_public_api()
        or not ({"site", "comment_id"} & set(args))
        or origin == _own_origin()
        or origin in origins_for_request()
    ):
        return
    site_id = _site_id(args.get("site"))
    if site_id is not None:
        record_refusal(site_id, origin)
    g.refused_origin = origin
    raise Forbidden(
        f"{origin} is not an allowed origin of this site; its owner can add it "
        f"(flask sites update SLUG --add-origin {origin}, or the dashboard's Sites page).",
        code="origin_not_allowed",
    )


def _site_id(slug: str | None) -> int | None:
    return db.session.scalar(select(Site.id).where(Site.slug == slug)) if slug else None


def apply_cors(response: Response) -> Response:
    if not _is_public_api():
        return response
    # The answer depends on Origin, so shared caches must keep one copy per origin.
    response.vary.add("Origin")
    # Exact match against the serialised form browsers send; anything else is refused.
    origin = request.headers.get("Origin", "")
    if origin and g.get("refused_origin") == origin:
        # Only the refusal itself is readable, so the widget can explain it.
        response.headers["Access-Control-Allow-Origin"] = origin
        return response
    if not origin or origin not in origins_for_request():
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_SECONDS
    return response
