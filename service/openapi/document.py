"""The OpenAPI 3.1 document of the JSON API, assembled once from components and paths."""

from __future__ import annotations

import json
from functools import cache

from service.openapi.components import BODIES, PARAMETERS, RESPONSES, SCHEMAS, SECURITY_SCHEMES
from service.openapi.paths import PATHS

DESCRIPTION = """\
The JSON API of Talkback: the public comment API the widget uses (no authentication),
the moderator API (a bearer token), and the share API.

Every error is `{"error": {"code", "message", "field"}}`: `code` is stable and
machine-readable, `message` is for people, `field` names the input at fault when there
is one.
"""


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Talkback API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "comments", "description": "Readers: post, read, edit their own comments."},
            {"name": "moderation", "description": "Moderators, with a bearer token."},
            {"name": "shares", "description": "Share menus, QR codes, statistics."},
            {"name": "meta", "description": "This description."},
        ],
        "paths": PATHS,
        "components": {
            "schemas": {**SCHEMAS, **BODIES},
            "parameters": PARAMETERS,
            "responses": RESPONSES,
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


@cache
def openapi_json() -> bytes:
    """The document serialised once per process: it only changes with the code."""
    return json.dumps(openapi_document(), indent=1, sort_keys=True).encode()
