"""The widget's public face: embed.js and its stylesheet, and the JavaScript-free thread page.

Nothing here reads or sets a cookie. The no-JS comment form is exempt from the session
CSRF check (a reader on the blog has no session with us) and takes the signed form token
instead: a form this service rendered in the last day, for this site, or nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from service.accounts.services import get_site
from service.comments import page_cache
from service.comments import services as comments
from service.comments.form_token import TokenState, check_form_token, issue_form_token
from service.comments.page_cache import Page
from service.comments.schemas import parse_new_comment, parse_thread_uri
from service.extensions import csrf, limiter
from service.http import limits
from service.http.errors import ApiError, ValidationError
from service.http.urls import base_url
from service.http.validation import parse_id
from service.widget import assets
from service.widget.cors import apply_cors, refuse_unlisted_origins
from service.widget.services import (
    author_view_with_preview,
    back_to_post_url,
    comment_for_receipt,
    make_receipt,
    nest,
    plain_share_menu,
    uri_from_referrer,
)

bp = Blueprint("widget", __name__)
bp.before_app_request(refuse_unlisted_origins)
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


@bp.get("/embed-share.<asset_hash>.js")
def hashed_share_js(asset_hash: str):
    built = assets.bundle()
    return _hashed(
        "widget.hashed_share_js", asset_hash, built.share_hash, built.share_js, "text/javascript"
    )


@bp.get("/embed.<asset_hash>.css")
def hashed_css(asset_hash: str):
    built = assets.bundle()
    return _hashed("widget.hashed_css", asset_hash, built.css_hash, built.css, "text/css")


@bp.get("/t/<site>")
def thread_page(site: str):
    if not request.args.get("uri"):
        # The snippet's fallback link sends its page as the referrer: open that thread.
        uri = uri_from_referrer(get_site(site), request.referrer)
        if uri:
            return redirect(url_for("widget.thread_page", site=site, uri=uri), code=303)
    uri = parse_thread_uri(request.args.get("uri"))
    after = parse_id(request.args["after"], "after") if request.args.get("after") else 0
    if request.args.get("posted"):
        # A reader back from posting sees their own comment: a page of theirs alone.
        site_row = get_site(site)
        own = comment_for_receipt(site_row, uri, request.args.get("posted"))
        return _thread_page(site_row, uri, after=after, own=own)
    css_hash = assets.bundle().css_hash

    def render() -> Page:
        html, _, _ = _thread_page(get_site(site), uri, after=after)
        return Page.of(html.encode(), "text/html")

    # The stylesheet's hash is part of the page, so a deploy never serves a page of the last
    # one. Its form token is the same for every reader (site + time, signed), like the page.
    variant = f"html:{css_hash}:{after}"
    return page_cache.respond(page_cache.cached_page(site, uri, variant, render))


def _thread_page(site_row, uri: str, *, after: int = 0, own=None, error=None, form=None):
    thread_row = comments.find_thread(site_row, uri)
    thread = comments.thread_body(thread_row, uri, after=after, limit=THREAD_PAGE_SIZE)
    page = render_template(
        "widget/thread.html",
        site=site_row,
        thread=thread,
        roots=nest(thread["comments"]),
        after=after,
        css_hash=assets.bundle().css_hash,
        own=author_view_with_preview(own) if own else None,
        back_url=back_to_post_url(site_row, thread_row, uri),
        share=plain_share_menu(site_row, thread_row, base_url()),
        form_token=issue_form_token(site_row.slug),
        error=error,
        form=form or {},
    )
    status = error.status if error else 200
    # The receipt shows this reader's own pending comment: never a shared cache's copy.
    headers = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
    return page, status, headers


@bp.post("/t/<site>/comments")
@csrf.exempt  # no session on a reader's blog: the signed form token stands in (below)
@limiter.limit(limits.configured("COMMENT_RATE_LIMIT"))
def post_from_thread_page(site: str):
    site_row = get_site(site)
    form = request.form.to_dict()
    state, _ = check_form_token(form.get("form_token"), site_row.slug)
    if state != TokenState.VALID:
        return _refuse_form(site_row, form)
    uri = parse_thread_uri(form.get("uri"))
    data = {**form, "parent_id": form.get("parent_id") or None}
    try:
        new = parse_new_comment(data, current_app.config["MAX_COMMENT_CHARS"])
        submitted = comments.submit_comment(
            site_row,
            new,
            remote_addr=request.remote_addr,
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ApiError as error:
        return _thread_page(site_row, uri, error=error, form=form)
    location = url_for(
        "widget.thread_page",
        site=site_row.slug,
        uri=uri,
        posted=make_receipt(submitted.id),
        _anchor="your-comment",
    )
    return redirect(location, code=303)


def _refuse_form(site_row, form: dict):
    """A post without a form this service rendered lately: the page again, filled in and with
    a fresh token (or the JSON error, when not even the page's address came with it)."""
    error = ValidationError(
        "This form is too old or did not come from this page. "
        "It has been renewed: please send your comment again.",
        code="invalid_form_token",
        field="form_token",
    ).with_status(400)
    try:
        uri = parse_thread_uri(form.get("uri"))
    except ApiError:
        raise error from None
    return _thread_page(site_row, uri, error=error, form=form)
