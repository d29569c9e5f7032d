"""GET /api/v1/openapi.json: the API description, cacheable, with no CORS headers.

The description (every schema and path, about 0.8 MiB of dicts) is imported by the first
request for it, not by every web worker.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
CACHE_SECONDS = 3600


@bp.get("/openapi.json")
def openapi_description():
    from service.openapi.document import openapi_json

    response = Response(openapi_json(), mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.add_etag()
    return response.make_conditional(request)
