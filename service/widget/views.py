"""The widget's public face: embed.js and its stylesheet, and the JavaScript-free thread page.

Nothing here reads or sets a cookie, so none of it needs CSRF protection.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for

from service.accounts.services import get_site
from service.comments import page_cache
from service.comments import services as comments
from service.comments.page_cache import Page
from service.comments.schemas import parse_thread_uri
from service.http.validation import parse_id
from service.widget import assets
from service.widget.cors import apply_cors
from service.widget.services import nest

bp = Blueprint("widget", __name__)
bp.after_app_request(apply_cors)

IMMUTABLE = "public, max-age=31536000, immutable"
# /embed.js is what blogs paste; it may move to a new hash on any deploy, so keep it short.
POINTER_MAX_AGE = "public, max-age=300"
THREAD_PAGE_SIZE = 50


def _asset(body: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _pointer(endpoint: str, asset_hash: str) -> Response:
    response = redirect(url_for(endpoint, asset_hash=asset_hash), code=302)
    response.headers["Cache-Control"] = POINTER_MAX_AGE
    return response


@bp.get("/embed.js")
def embed_js():
    return _pointer("widget.hashed_js", assets.bundle().js_hash)


def _hashed(endpoint: str, asked: str, current: str, body: str, mimetype: str) -> Response:
    # A stale hash (a page cached across a deploy) is sent on to the current file, not a 404.
    if asked != current:
        return _pointer(endpoint, current)
    return _asset(body, mimetype)


@bp.get("/embed.<asset_hash>.js")
def hashed_js(asset_hash: str):
    built = assets.bundle()
    return _hashed("widget.hashed_js", asset_hash, built.js_hash, built.js, "text/javascript")


@bp.get("/embed.<asset_hash>.css")
def hashed_css(asset_hash: str):
    built = assets.bundle()
    return _hashed("widget.hashed_css", asset_hash, built.css_hash, built.css, "text/css")


@bp.get("/t/<site>")
def thread_page(site: str):
    uri = parse_thread_uri(request.args.get("uri"))
    after = parse_id(request.args["after"], "after") if request.args.get("after") else 0
    css_hash = assets.bundle().css_hash

    def render() -> Page:
        site_row = get_site(site)
        thread = comments.published_thread(site_row, uri, after=after, limit=THREAD_PAGE_SIZE)
        html = render_template(
            "widget/thread.html",
            site=site_row,
            thread=thread,
            roots=nest(thread["comments"]),
            after=after,
            css_hash=css_hash,
        )
        return Page.of(html.encode(), "text/html")

    # The stylesheet's hash is part of the page, so a deploy never serves a page of the last one.
    variant = f"html:{css_hash}:{after}"
    return page_cache.respond(page_cache.cached_page(site, uri, variant, render))
