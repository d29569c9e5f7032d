"""CORS for the public comment API: a site's own allowed origins only, matched exactly.

The widget runs on the blog's origin and calls this service, so the browser asks first.
Nothing here allows credentials: the public API never reads cookies, so there are none to
send. The moderator API (bearer tokens, other blueprint) gets no CORS headers at all.
"""

from __future__ import annotations

from flask import Response, request
from sqlalchemy import select

from service.accounts.models import Site
from service.comments.models import Comment
from service.extensions import db
from service.http.hosts import normalise_origin
from service.http.validation import id_or_none

PUBLIC_API_BLUEPRINT = "comments_api"
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


def apply_cors(response: Response) -> Response:
    if request.blueprint != PUBLIC_API_BLUEPRINT:
        return response
    # The answer depends on Origin, so shared caches must keep one copy per origin.
    response.vary.add("Origin")
    # Exact match against the serialised form browsers send; anything else is refused.
    origin = request.headers.get("Origin", "")
    if not origin or origin not in origins_for_request():
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_SECONDS
    return response
