"""The public JSON API the widget calls: post comments, read threads and counts, edit one's own.

The blueprint keeps its name `comments_api`: CORS and CSRF exemption key on it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from service.accounts.services import get_site
from service.comments import page_cache, services
from service.comments.form_token import issue_form_token
from service.comments.page_cache import Page
from service.comments.schemas import parse_comment_text, parse_new_comment, parse_thread_uri
from service.extensions import limiter
from service.http import limits
from service.http.errors import ValidationError
from service.http.validation import parse_id, parse_json_body
from service.moderation import authoring
from service.moderation.sanitise import render_comment
from service.replies import services as replies
from service.widget.services import author_view_with_preview, new_comment_preview

bp = Blueprint("comments_api", __name__, url_prefix="/api/v1")


@bp.post("/sites/<site>/comments")
@limiter.limit(limits.configured("COMMENT_RATE_LIMIT"))
def post_comment(site: str):
    data = parse_json_body(request)
    new = parse_new_comment(data, current_app.config["MAX_COMMENT_CHARS"])
    submitted = services.accept_comment(
        site,
        new,
        remote_addr=request.remote_addr,
        user_agent=request.headers.get("User-Agent", ""),
    )
    if new.notify_replies:
        replies.subscribe(submitted.row())
    # The author's view too, so the widget can show the comment as it will look at once.
    return jsonify({**submitted.answer(), **new_comment_preview(new)}), 202


@bp.get("/sites/<site>/threads")
def get_thread(site: str):
    uri = parse_thread_uri(request.args.get("uri"))
    after = parse_id(request.args["after"], "after") if request.args.get("after") else 0
    limit = min(parse_id(request.args.get("limit", "100"), "limit"), services.THREAD_PAGE_MAX)

    def render() -> Page:
        site_row = get_site(site)
        body = services.published_thread(site_row, uri, after=after, limit=limit)
        # A site setting, the same for every reader of the thread (see docs/performance.md).
        body["reply_notifications"] = replies.enabled(site_row)
        return Page.of(current_app.json.dumps(body).encode(), "application/json")

    return page_cache.respond(page_cache.cached_page(site, uri, f"json:{after}:{limit}", render))


@bp.get("/sites/<site>/counts")
def get_counts(site: str):
    uris = request.args.getlist("uri")
    if not uris or len(uris) > 100:
        raise ValidationError("Pass 1 to 100 uri parameters.", code="invalid_uri_list", field="uri")
    uris = list(dict.fromkeys(parse_thread_uri(uri) for uri in uris))
    counts = page_cache.cached_counts(
        site, uris, lambda missing: services.approved_counts(get_site(site), missing)
    )
    body = current_app.json.dumps({"counts": counts}).encode()
    return page_cache.respond(Page.of(body, "application/json"))


@bp.get("/sites/<site>/form-token")
def get_form_token(site: str):
    """Fetched by the widget when its form gains focus: the one per-reader part of a thread."""
    response = jsonify({"form_token": issue_form_token(get_site(site).slug)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/comments/<comment_id>")
def get_own_comment(comment_id: str):
    comment = services.comment_for_author(parse_id(comment_id), request.args.get("token"))
    return jsonify(author_view_with_preview(comment))


@bp.patch("/comments/<comment_id>")
# Each edit re-runs the scorer synchronously.
@limiter.limit(limits.configured("COMMENT_RATE_LIMIT"))
def edit_own_comment(comment_id: str):
    data = parse_json_body(request)
    text = parse_comment_text(data, current_app.config["MAX_COMMENT_CHARS"])
    token = data.get("token") if isinstance(data.get("token"), str) else None
    comment = authoring.edit_own_comment(parse_id(comment_id), token, text)
    return jsonify(author_view_with_preview(comment))


@bp.delete("/comments/<comment_id>")
def delete_own_comment(comment_id: str):
    comment = authoring.delete_own_comment(parse_id(comment_id), request.args.get("token"))
    return jsonify({"id": comment.id, "status": comment.status})


@bp.post("/preview")
def preview():
    data = parse_json_body(request)
    text = data.get("text")
    if not isinstance(text, str):
        raise ValidationError("text must be a string.", code="invalid_type", field="text")
    if len(text) > current_app.config["MAX_COMMENT_CHARS"]:
        raise ValidationError("text is too long.", code="too_long", field="text")
    return jsonify({"html": render_comment(text)})
