"""The moderator JSON API (bearer token): the queue and the decisions on it."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from service.accounts.auth import ensure_can_moderate, ensure_site_access, require_token
from service.accounts.services import get_site
from service.comments.models import Comment, Status
from service.comments.services import public_comment
from service.extensions import db
from service.http.errors import NotFound, ValidationError
from service.http.validation import id_or_none, optional_string, parse_id, parse_json_body
from service.moderation import actions
from service.moderation import queue as moderation_queue
from service.moderation.services import moderate
from service.timeutil import as_utc

bp = Blueprint("moderation_api", __name__, url_prefix="/api/v1")


def queue_entry(comment: Comment) -> dict:
    return {
        **public_comment(comment),
        "status": comment.status,
        "text": comment.text,
        "email": comment.email or None,
        "ip": comment.ip,
        "thread": {
            "id": comment.thread_id,
            "uri": comment.thread.uri,
            "title": comment.thread.title,
        },
        "spam_score": comment.spam_score,
        "spam_reasons": comment.spam_reasons,
        "updated": as_utc(comment.updated_at).isoformat(),
    }


@bp.get("/sites/<site>/queue")
@require_token
def site_queue(site: str):
    site_row = get_site(site)
    ensure_site_access(g.moderator, site_row.id)
    status = request.args.get("status", Status.PENDING)
    if status not in moderation_queue.QUEUE_STATUSES:
        raise ValidationError("Unknown status.", code="invalid_status", field="status")
    limit = min(parse_id(request.args.get("limit", "50"), "limit"), 200)
    filters = moderation_queue.QueueFilters(frozenset({site_row.id}), status=status)
    if "offset" in request.args and "after" not in request.args:
        # Paging by offset is kept for clients written before the cursor; a comment
        # moderated meanwhile shifts the pages. Anything but a positive integer in range
        # means the start.
        offset = id_or_none(request.args.get("offset")) or 0
        after = moderation_queue.cursor_at_offset(filters, offset)
    else:
        after = moderation_queue.Cursor.decode(request.args.get("after"))
    page = moderation_queue.queue_page(filters, after, limit)
    return jsonify(
        {
            "site": site_row.slug,
            "status": status,
            "comments": [queue_entry(c) for c in page.comments],
            "next_cursor": page.next_cursor.encode() if page.next_cursor else None,
            "total": page.total,
            "total_capped": page.total_capped,
        }
    )


@bp.post("/comments/<comment_id>/<action>")
@require_token
def act_on_comment(comment_id: str, action: str):
    if action not in actions.ACTIONS:
        raise NotFound("Unknown action.", code="unknown_action")
    comment = db.session.get(Comment, parse_id(comment_id))
    if comment is None:
        raise NotFound("No such comment.", code="unknown_comment")
    ensure_can_moderate(g.moderator, comment.site_id)
    reason = ""
    if request.content_length:
        reason = optional_string(parse_json_body(request), "reason", 500)
    moderate(comment, actions.ACTIONS[action].to_status, g.moderator, reason)
    return jsonify(queue_entry(comment))
