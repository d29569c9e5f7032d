"""CORS for the public comment API: a site's own allowed origins only, matched exactly.

The widget runs on the blog's origin and calls this service, so the browser asks first.
Nothing here allows credentials: the public API never reads cookies, so there are none to
send. The moderator API (bearer tokens, other blueprint) gets no CORS headers at all.

A page on an origin the site does not list is refused with 403 `origin_not_allowed`, and
that one error is readable cross-origin, so the widget can say why instead of failing
blind; the refusal is remembered for the owner's Sites page.
"""

from __future__ import annotations

from flask import Response, g, request
from sqlalchemy import select

from service.accounts.models import Site
from service.accounts.origins import record_refusal
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


def _origins(sites: list[list]) -> set[str]:
    found = (normalise_origin(origin) for origins in sites for origin in origins or [])
    return {origin for origin in found if origin}


def origins_for_request() -> set[str]:
    """The origins allowed to call the endpoint being requested.

    Site-scoped URLs use that site's list; an author's own comment uses its site's list;
    the stateless preview accepts any origin some site allows.
    """
    args = request.view_args or {}
    if "site" in args:
        query = select(Site.allowed_origins).where(Site.slug == args["site"])
    elif "comment_id" in args and (comment_id := id_or_none(args["comment_id"])):
        query = (
            select(Site.allowed_origins)
            .join(Comment, Comment.site_id == Site.id)
            .where(Comment.id == comment_id)
        )
    else:
        query = select(Site.allowed_origins)
    return _origins(list(db.session.scalars(query)))


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
