"""Share endpoints: the share-menu API, counted redirects, permalinks, QR codes and stats.

One blueprint, exempt from CSRF: nothing here reads a cookie, and the only POSTs are a
click counter (no more harmful than the GET it mirrors) and a bearer-token API.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, redirect, request

from service.accounts.auth import ensure_site_access, require_token
from service.accounts.services import get_site
from service.extensions import limiter
from service.http import limits
from service.http.errors import ValidationError
from service.http.urls import base_url
from service.http.validation import parse_id, parse_json_body
from service.shares import preview, preview_rules, qr, services

bp = Blueprint("shares", __name__)
# The blueprint's CLI group is `flask shares ...`, so no shared CLI module needs an edit.


@bp.get("/api/v1/sites/<site>/shares")
@limiter.limit(limits.configured("SHARE_LINKS_RATE_LIMIT"))  # it may create a thread
def share_links(site: str):
    site_row = get_site(site)
    title = services.parse_title(request.args.get("title"))
    text = services.parse_title(request.args.get("text"))
    instance = services.parse_instance(request.args.get("instance"))
    thread, url = services.thread_for_url(site_row, request.args.get("url"), title)
    post = services.post_for(site_row, thread, title, text, url)
    return jsonify(services.share_menu(site_row, thread, post, base_url(), instance))


# merge_slashes=False: "/s/blog/1//evil.com" must be a 404, not a 308 to a cleaned path.
@bp.route("/s/<site>/<thread_id>/<network>", methods=["GET", "POST"], merge_slashes=False)
@limiter.limit(limits.configured("SHARE_CLICK_RATE_LIMIT"))  # a script inflating counts
def counted_share(site: str, thread_id: str, network: str):
    """GET counts and redirects (plain links); POST only counts (share.js opened it itself)."""
    site_row = get_site(site)
    words = request.args.get("w")  # the menu's title and text, signed (see share_menu)
    if request.method == "POST":
        thread, _ = services.share_redirect(site_row, thread_id, network)
        services.record_click(site_row.id, thread.id, network)
        return Response(status=204)
    if request.method == "HEAD":  # link checkers and prefetchers are not readers
        services.share_redirect(site_row, thread_id, network)
        return Response(status=200)
    location = services.count_and_redirect(site_row, thread_id, network, words)
    response = redirect(location, code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/p/<thread_id>", merge_slashes=False)
@bp.get("/p/<thread_id>/<comment_id>", merge_slashes=False)
def permalink(thread_id: str, comment_id: str | None = None):
    """Short link to a post (or one approved comment): always the thread's own page."""
    thread = services.get_thread(None, thread_id)
    location = services.permalink_location(thread.site, thread, comment_id)
    response = redirect(location, code=302)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/api/v1/sites/<site>/threads/<thread_id>/qr.svg")
def thread_qr(site: str, thread_id: str):
    site_row = get_site(site)
    thread = services.get_thread(site_row, thread_id)
    svg = qr.qr_svg(services.permalink_location(site_row, thread))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/api/v1/sites/<site>/share-stats")
@require_token
def share_stats(site: str):
    site_row = get_site(site)
    ensure_site_access(g.moderator, site_row.id)
    days = parse_id(request.args.get("days", "30"), "days")
    return jsonify(services.share_stats(site_row, days))


@bp.post("/api/v1/sites/<site>/preview-check")
@require_token
def preview_check(site: str):
    site_row = get_site(site)
    ensure_site_access(g.moderator, site_row.id)
    url = parse_json_body(request).get("url")
    if not isinstance(url, str) or not url.strip():
        raise ValidationError("url is required.", code="missing_field", field="url")
    page = preview.fetch_page(
        url.strip(), allow_private=current_app.config.get("SHARES_PREVIEW_ALLOW_PRIVATE", False)
    )
    return jsonify(preview_rules.check(preview.read_tags(page.html, page.url)))
