"""Every /api/v1 route, its parameters, body and answers (tests/test_openapi_spec.py keeps
this list and app.url_map equal, methods included)."""

from __future__ import annotations

from service.openapi.components import ERROR_ANSWERS, QUEUE_STATUSES, ROW_ID, obj, query_param, ref

SITE = ref("site", "parameters")
COMMENT_ID = ref("comment_id", "parameters")
LIMIT = ref("limit", "parameters")
EDIT_TOKEN = ref("edit_token", "parameters")
# Every route may answer 400 (a NUL byte in the path or query is refused before any view)
# and 503 (the database is down).
ALWAYS = (400, 503)
JSON_BODY_ERRORS = (413, 415)


def json_answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def cached_for_everyone(spec: dict) -> dict:
    """An answer that is the same for every reader: strong ETag, Cache-Control, 304s."""
    spec["responses"]["304"] = {
        "description": "Not Modified: the `If-None-Match` ETag is the current one."
    }
    spec["description"] = (
        "Rendered once per change and cached; answers carry a strong `ETag` and "
        "`Cache-Control: public, max-age=10, stale-while-revalidate=60`."
    )
    return spec


def operation(
    operation_id: str,
    summary: str,
    *,
    tag: str,
    ok: tuple[int, dict],
    errors: tuple[int, ...] = (),
    parameters: tuple[dict, ...] = (),
    body: str | None = None,
    body_required: bool = True,
    bearer: bool = False,
) -> dict:
    """One operation; `errors` lists the statuses answered with the shared Error body."""
    status, answer = ok
    statuses = sorted(set(ALWAYS + errors + (JSON_BODY_ERRORS if body else ())))
    if bearer:
        statuses = sorted({*statuses, 401})
    responses = {str(status): answer}
    for error_status in statuses:
        responses[str(error_status)] = ref(ERROR_ANSWERS[error_status][0], "responses")
    spec = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "parameters": list(parameters),
        "responses": responses,
    }
    if bearer:
        spec["security"] = [{"bearerAuth": []}]
    if body:
        spec["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": ref(body)}},
        }
    return spec


COMMENTS = {
    "/api/v1/sites/{site}/comments": {
        "post": operation(
            "postComment",
            "A reader posts a comment; it is stored, then processed in the background.",
            tag="comments",
            parameters=(SITE,),
            body="NewComment",
            ok=(
                202,
                json_answer(
                    "Accepted: stored as `received` (processed in the background); the author's "
                    "view of it as readers will see it, and `edit_token` to edit or delete it.",
                    ref("AcceptedComment"),
                ),
            ),
            errors=(403, 404, 422, 429),
        )
    },
    "/api/v1/sites/{site}/threads": {
        "get": cached_for_everyone(
            operation(
                "getThread",
                "A page's approved comments in posting order, a page at a time.",
                tag="comments",
                parameters=(
                    SITE,
                    query_param(
                        "uri",
                        {"type": "string"},
                        "The page's path.",
                        required=True,
                        example="/demo",
                    ),
                    query_param("after", ROW_ID, "`next_after` of the previous page."),
                    LIMIT,
                ),
                ok=(
                    200,
                    json_answer("The page of comments (the same for every reader).", ref("Thread")),
                ),
                errors=(403, 404, 422),
            )
        )
    },
    "/api/v1/sites/{site}/counts": {
        "get": cached_for_everyone(
            operation(
                "getCounts",
                "Approved comment counts for up to 100 pages.",
                tag="comments",
                parameters=(
                    SITE,
                    {
                        **query_param(
                            "uri",
                            {"type": "array", "items": {"type": "string"}, "minItems": 1},
                            "Repeat for each page: `?uri=/a&uri=/b` (1 to 100).",
                            required=True,
                            example=["/demo"],
                        ),
                        "style": "form",
                        "explode": True,
                    },
                ),
                ok=(
                    200,
                    json_answer(
                        "Count per page path.",
                        obj(
                            ["counts"],
                            {
                                "counts": {
                                    "type": "object",
                                    "additionalProperties": {"type": "integer", "minimum": 0},
                                }
                            },
                        ),
                    ),
                ),
                errors=(403, 404, 422),
            )
        )
    },
    "/api/v1/sites/{site}/form-token": {
        "get": operation(
            "getFormToken",
            "A fresh signed form token; the widget asks when its form gains focus (no-store).",
            tag="comments",
            parameters=(SITE,),
            ok=(
                200,
                json_answer("The token.", obj(["form_token"], {"form_token": {"type": "string"}})),
            ),
            errors=(403, 404),
        )
    },
    "/api/v1/comments/{comment_id}": {
        "get": operation(
            "getOwnComment",
            "The author's view of their comment, with its status.",
            tag="comments",
            parameters=(COMMENT_ID, EDIT_TOKEN),
            ok=(200, json_answer("The comment.", ref("AuthorComment"))),
            errors=(403, 404, 422),
        ),
        "patch": operation(
            "editOwnComment",
            "The author replaces the text within the edit window; it is judged again.",
            tag="comments",
            parameters=(COMMENT_ID,),
            body="CommentEdit",
            ok=(200, json_answer("The edited comment.", ref("AuthorComment"))),
            errors=(403, 404, 409, 422, 429),
        ),
        "delete": operation(
            "deleteOwnComment",
            "The author deletes their comment within the edit window.",
            tag="comments",
            parameters=(COMMENT_ID, EDIT_TOKEN),
            ok=(
                200,
                json_answer(
                    "Deleted.",
                    obj(["id", "status"], {"id": ROW_ID, "status": {"const": "deleted"}}),
                ),
            ),
            errors=(403, 404, 409, 422),
        ),
    },
    "/api/v1/preview": {
        "post": operation(
            "previewComment",
            "Markdown rendered and sanitised exactly as a published comment would be.",
            tag="comments",
            body="PreviewRequest",
            ok=(200, json_answer("The HTML.", obj(["html"], {"html": {"type": "string"}}))),
            errors=(422,),
        )
    },
}

MODERATION = {
    "/api/v1/sites/{site}/queue": {
        "get": operation(
            "getModerationQueue",
            "Comments by status, highest spam score first, paged by keyset cursor.",
            tag="moderation",
            bearer=True,
            parameters=(
                SITE,
                query_param(
                    "status",
                    {"type": "string", "enum": QUEUE_STATUSES},
                    "Which comments (default `pending`).",
                ),
                LIMIT,
                query_param("after", {"type": "string"}, "`next_cursor` of the previous page."),
                query_param(
                    "offset",
                    {"type": "string"},
                    "Deprecated paging by position; anything but a positive integer means 0.",
                ),
            ),
            ok=(200, json_answer("A page of the queue.", ref("Queue"))),
            errors=(403, 404, 422),
        )
    },
    "/api/v1/comments/{comment_id}/{action}": {
        "post": operation(
            "moderateComment",
            "Approve, reject, mark as spam, send back from spam (`ham`) or delete a comment.",
            tag="moderation",
            bearer=True,
            parameters=(COMMENT_ID, ref("action", "parameters")),
            body="ModerationReason",
            body_required=False,
            ok=(200, json_answer("The comment after the decision.", ref("QueueEntry"))),
            errors=(404, 409, 422),
        )
    },
}

SHARES = {
    "/api/v1/sites/{site}/shares": {
        "get": operation(
            "getShareMenu",
            "The share menu for one of the site's pages: a ready link per network.",
            tag="shares",
            parameters=(
                SITE,
                query_param(
                    "url",
                    {"type": "string"},
                    "The page's address.",
                    required=True,
                    example="http://127.0.0.1:5000/demo",
                ),
                query_param("title", {"type": "string", "maxLength": 300}, "The post's title."),
                query_param("text", {"type": "string", "maxLength": 300}, "Text to share."),
                query_param(
                    "instance", {"type": "string"}, "A Mastodon-like server: `mastodon.social`."
                ),
            ),
            ok=(200, json_answer("The menu.", ref("ShareMenu"))),
            errors=(403, 404, 422, 429),
        )
    },
    "/api/v1/sites/{site}/threads/{thread_id}/qr.svg": {
        "get": operation(
            "getThreadQrCode",
            "A QR code of the post's address.",
            tag="shares",
            parameters=(SITE, ref("thread_id", "parameters")),
            ok=(
                200,
                {
                    "description": "An SVG image.",
                    "content": {"image/svg+xml": {"schema": {"type": "string"}}},
                },
            ),
            errors=(404, 422),
        )
    },
    "/api/v1/sites/{site}/share-stats": {
        "get": operation(
            "getShareStats",
            "Counted share clicks per post and network over the last days.",
            tag="shares",
            bearer=True,
            parameters=(
                SITE,
                query_param("days", ROW_ID, "How many days back (30; at most 366 are counted)."),
            ),
            ok=(200, json_answer("The statistics.", ref("ShareStats"))),
            errors=(403, 404, 422),
        )
    },
    "/api/v1/sites/{site}/preview-check": {
        "post": operation(
            "checkSharePreview",
            "Fetch a page and say what each network's preview card will show.",
            tag="shares",
            bearer=True,
            parameters=(SITE,),
            body="PreviewCheckRequest",
            ok=(
                200,
                json_answer("What each network shows, and the problems.", ref("PreviewCheck")),
            ),
            errors=(403, 404, 422),
        )
    },
}

META = {
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "getOpenApiDescription",
            "summary": "This description.",
            "tags": ["meta"],
            "responses": {
                "200": json_answer("OpenAPI 3.1.", {"type": "object", "required": ["openapi"]})
            },
        }
    }
}

PATHS = {**COMMENTS, **MODERATION, **SHARES, **META}
