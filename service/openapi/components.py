"""The reusable parts of the OpenAPI description: bodies, parameters, shared error answers.

Data only: the shapes below are what the views return, written down once so `paths.py`
can refer to them by name and the contract test can check every real answer against them.
"""

from __future__ import annotations

from service.comments.models import Status
from service.http.validation import MAX_ID
from service.moderation.actions import ACTIONS
from service.moderation.queue import QUEUE_STATUSES as MODERATION_QUEUE_STATUSES

# The moderator API's own lists, so a new action or queue status is described as it lands.
MODERATION_ACTIONS = list(ACTIONS)
QUEUE_STATUSES = list(MODERATION_QUEUE_STATUSES)


def ref(name: str, kind: str = "schemas") -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def nullable(schema_type: str, **extra) -> dict:
    return {"type": [schema_type, "null"], **extra}


def obj(required: list[str], properties: dict, *, closed: bool = True) -> dict:
    """An object with these properties; `closed` answers may carry nothing else."""
    schema = {"type": "object", "required": required, "properties": properties}
    if closed:
        schema["additionalProperties"] = False
    return schema


ROW_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
COUNT = {"type": "integer", "minimum": 0}
TIMESTAMP = {"type": "string", "format": "date-time"}
COUNTS_BY_NAME = {"type": "object", "additionalProperties": COUNT}
COMMENT_STATUS = {"type": "string", "enum": list(Status.ALL)}

THREAD_REF = obj(
    ["id", "uri", "title"],
    {"id": ROW_ID, "uri": {"type": "string"}, "title": {"type": "string"}},
)

PUBLIC_COMMENT_FIELDS = {
    "id": ROW_ID,
    "parent_id": nullable("integer", minimum=1),
    "author": nullable("string"),
    "website": nullable("string"),
    "html": {"type": "string", "description": "Rendered Markdown, sanitised."},
    "created": TIMESTAMP,
    "edited": {"oneOf": [TIMESTAMP, {"type": "null"}]},
}

SPAM_REASON = obj(
    ["code", "weight", "detail"],
    {"code": {"type": "string"}, "weight": {"type": "number"}, "detail": {"type": "string"}},
)

SHARE_TARGET = obj(
    ["id", "name", "label", "href", "click_url", "needs_instance", "mobile_only", "popup"],
    {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "label": {"type": "string"},
        "href": {"type": "string", "description": "Straight to the network."},
        "click_url": {"type": "string", "description": "Through the click counter first."},
        "needs_instance": {"type": "boolean"},
        "mobile_only": {"type": "boolean"},
        "popup": {
            "oneOf": [
                obj(["width", "height"], {"width": COUNT, "height": COUNT}),
                {"type": "null"},
            ]
        },
        "instance_template": {"type": "string"},
        "text": {"type": "string", "description": "The fitted post text (instance networks)."},
    },
)

NETWORK_PREVIEW = obj(
    ["title", "description", "image", "layout"],
    {
        "title": {"type": "string"},
        "description": {"type": "string"},
        "image": {"type": "string"},
        "layout": {"type": "string"},
        "author": {"type": "string"},
    },
)

# What an author sees of their own comment (GET/PATCH /comments/{id}, and posting).
AUTHOR_COMMENT_FIELDS = {
    **PUBLIC_COMMENT_FIELDS,
    "status": COMMENT_STATUS,
    "text": {"type": "string", "description": "The Markdown source."},
    "thread_uri": {"type": "string"},
    "editable_until": TIMESTAMP,
    "can_edit": {"type": "boolean"},
}

SCHEMAS = {
    "Error": obj(
        ["error"],
        {
            "error": obj(
                ["code", "message"],
                {
                    "code": {
                        "type": "string",
                        "pattern": "^[a-z][a-z0-9_]*$",
                        "description": "Stable, machine-readable: `unknown_site`, `too_long`, …",
                    },
                    "message": {"type": "string", "description": "For people; may change."},
                    "field": {
                        "type": "string",
                        "minLength": 1,
                        "description": "The input at fault, if one.",
                    },
                },
            )
        },
    ),
    "Comment": obj(list(PUBLIC_COMMENT_FIELDS), PUBLIC_COMMENT_FIELDS),
    "AuthorComment": obj(list(AUTHOR_COMMENT_FIELDS), AUTHOR_COMMENT_FIELDS),
    # The answer to posting: the author's view (rendered at once, sanitised) and the token.
    "AcceptedComment": obj(
        [*AUTHOR_COMMENT_FIELDS, "edit_token"],
        {**AUTHOR_COMMENT_FIELDS, "edit_token": {"type": "string", "minLength": 32}},
    ),
    "QueueEntry": obj(
        [*PUBLIC_COMMENT_FIELDS, "status", "text", "email", "ip", "thread", "spam_score"]
        + ["spam_reasons", "updated"],
        {
            **PUBLIC_COMMENT_FIELDS,
            "status": COMMENT_STATUS,
            "text": {"type": "string"},
            "email": nullable("string"),
            "ip": {"type": "string", "description": "Truncated: the last octet is zeroed."},
            "thread": THREAD_REF,
            "spam_score": nullable("number", minimum=0, maximum=1),
            "spam_reasons": {"type": "array", "items": SPAM_REASON},
            "updated": TIMESTAMP,
        },
    ),
    "Thread": obj(
        ["thread", "total", "comments", "next_after", "reply_notifications"],
        {
            "thread": obj(
                ["id", "uri", "title"],
                {
                    "id": {
                        "oneOf": [ROW_ID, {"type": "null"}],
                        "description": "null: no comment yet",
                    },
                    "uri": {"type": "string"},
                    "title": {"type": "string"},
                },
            ),
            "total": COUNT,
            "comments": {"type": "array", "items": ref("Comment")},
            "next_after": {"oneOf": [ROW_ID, {"type": "null"}]},
            "reply_notifications": {
                "type": "boolean",
                "description": "Whether the site offers readers e-mail about replies.",
            },
        },
    ),
    "Queue": obj(
        ["site", "status", "comments", "next_cursor", "total", "total_capped"],
        {
            "site": {"type": "string"},
            "status": {"type": "string", "enum": QUEUE_STATUSES},
            "comments": {"type": "array", "items": ref("QueueEntry")},
            "next_cursor": nullable("string"),
            "total": {
                "oneOf": [COUNT, {"type": "null"}],
                "description": "null when paging by offset",
            },
            "total_capped": {"type": "boolean", "description": "Counting stopped at 10,000."},
        },
    ),
    "ShareMenu": obj(
        ["site", "thread", "url", "title", "permalink", "qr_svg", "targets", "actions"],
        {
            "site": {"type": "string"},
            "thread": THREAD_REF,
            "url": {"type": "string"},
            "title": {"type": "string"},
            "permalink": {"type": "string"},
            "qr_svg": nullable(
                "string", description="null when the address is too long for a QR code"
            ),
            "targets": {"type": "array", "items": SHARE_TARGET},
            "actions": {
                "type": "array",
                "items": obj(
                    ["id", "name", "label"],
                    {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "label": {"type": "string"},
                    },
                ),
            },
        },
    ),
    "ShareStats": obj(
        ["site", "since", "until", "total", "networks", "threads"],
        {
            "site": {"type": "string"},
            "since": {"type": "string", "format": "date"},
            "until": {"type": "string", "format": "date"},
            "total": COUNT,
            "networks": COUNTS_BY_NAME,
            "threads": {
                "type": "array",
                "items": obj(
                    ["thread", "total", "networks", "days"],
                    {
                        "thread": THREAD_REF,
                        "total": COUNT,
                        "networks": COUNTS_BY_NAME,
                        "days": {
                            "type": "array",
                            "items": obj(
                                ["day", "network", "count"],
                                {
                                    "day": {"type": "string", "format": "date"},
                                    "network": {"type": "string"},
                                    "count": COUNT,
                                },
                            ),
                        },
                    },
                ),
            },
        },
    ),
    "PreviewCheck": obj(
        ["url", "ok", "networks", "problems", "tags"],
        {
            "url": {"type": "string"},
            "ok": {"type": "boolean", "description": "false when any problem is an error"},
            "networks": {"type": "object", "additionalProperties": NETWORK_PREVIEW},
            "problems": {
                "type": "array",
                "items": obj(
                    ["level", "code", "message", "networks"],
                    {
                        "level": {"type": "string", "enum": ["error", "warning"]},
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "networks": {"type": "array", "items": {"type": "string"}},
                    },
                ),
            },
            "tags": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    ),
}

# --- request bodies: what the views read; other keys are ignored, not refused ---------------

BODIES = {
    "NewComment": obj(
        ["uri", "text"],
        {
            "uri": {
                "type": "string",
                "maxLength": 1024,
                "description": "The page's path: `/post`.",
            },
            "text": {"type": "string", "minLength": 1, "description": "Markdown."},
            "title": {"type": "string", "maxLength": 300},
            "parent_id": {
                "oneOf": [ROW_ID, {"type": "null"}],
                "description": "An approved comment.",
            },
            "author": {"type": "string", "maxLength": 100},
            "email": {"type": "string", "maxLength": 254},
            "website": {"type": "string", "maxLength": 500},
            "honeypot": {"type": "string", "maxLength": 500, "description": "Leave empty."},
            "form_token": {"type": "string", "maxLength": 500},
            "notify_replies": {
                "type": "boolean",
                "description": "Mail the author (needs `email`, confirmed by mail first) "
                "when the comment gets a published reply.",
            },
        },
        closed=False,
    )
    | {"example": {"uri": "/demo", "author": "Ann", "text": "Hello *world*"}},
    "CommentEdit": obj(
        ["text", "token"],
        {"text": {"type": "string", "minLength": 1}, "token": {"type": "string"}},
        closed=False,
    ),
    "PreviewRequest": obj(["text"], {"text": {"type": "string"}}, closed=False)
    | {"example": {"text": "Hello *world*"}},
    "ModerationReason": obj([], {"reason": nullable("string", maxLength=500)}, closed=False),
    "PreviewCheckRequest": obj(["url"], {"url": {"type": "string", "minLength": 1}}, closed=False)
    | {"example": {"url": "http://127.0.0.1:5000/demo"}},
}

# --- parameters ----------------------------------------------------------------------------


def path_param(name: str, schema: dict, description: str, example: object) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": schema,
        "description": description,
        "example": example,
    }


def query_param(
    name: str, schema: dict, description: str, *, required: bool = False, example: object = None
) -> dict:
    param = {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }
    if example is not None:
        param["example"] = example
    return param


PARAMETERS = {
    "site": path_param("site", {"type": "string"}, "The site's slug.", "demo"),
    "comment_id": path_param("comment_id", ROW_ID, "A comment's id.", 1),
    "thread_id": path_param("thread_id", ROW_ID, "A thread's (post's) id.", 1),
    "action": path_param(
        "action",
        {"type": "string", "enum": MODERATION_ACTIONS},
        "`ham` sends spam back to pending.",
        "approve",
    ),
    "edit_token": query_param(
        "token", {"type": "string"}, "The `edit_token` from posting.", required=True
    ),
    "limit": query_param(
        "limit", ROW_ID, "Page size; larger values count as the endpoint's maximum."
    ),
}

# --- answers -------------------------------------------------------------------------------

ERROR_ANSWERS = {
    400: ("BadRequest", "Malformed JSON, a body that is not an object, a NUL byte anywhere."),
    401: ("Unauthorized", "No bearer token, or an unknown or revoked one."),
    403: (
        "Forbidden",
        "Not allowed: another site, a wrong edit token, or (`origin_not_allowed`) a page on "
        "an origin the site does not list.",
    ),
    404: ("NotFound", "No such site, comment, thread or action."),
    409: ("Conflict", "The comment's state does not allow this (an illegal transition)."),
    413: ("PayloadTooLarge", "The body is over 256 KiB."),
    415: ("UnsupportedMediaType", "The body is not sent as `application/json`."),
    422: ("Unprocessable", "A field is missing, of the wrong type, too long or invalid."),
    429: ("RateLimited", "Too many requests; `Retry-After` says when to try again."),
    503: ("ServiceUnavailable", "The database is unreachable: `service_unavailable`, try later."),
}

RESPONSES = {
    name: {"description": description, "content": {"application/json": {"schema": ref("Error")}}}
    for name, description in ERROR_ANSWERS.values()
}
RESPONSES["Unauthorized"]["headers"] = {
    "WWW-Authenticate": {
        "description": 'The scheme to use (RFC 6750): `Bearer realm="talkback"`.',
        "required": True,
        "schema": {"type": "string", "pattern": "^Bearer( |$)"},
    }
}
RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}
RESPONSES["RateLimited"]["headers"] = {"Retry-After": RETRY_AFTER}
RESPONSES["ServiceUnavailable"]["headers"] = {"Retry-After": RETRY_AFTER}

SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "A moderator's API token (`flask moderators create`, or /moderate/tokens).",
    }
}
