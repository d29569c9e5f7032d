"""GET /api/v1/openapi.json: the API description, cacheable, with no CORS headers."""

from __future__ import annotations

from flask import Blueprint, Response, request

from service.openapi.document import openapi_json

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
CACHE_SECONDS = 3600


@bp.get("/openapi.json")
def openapi_description():
    response = Response(openapi_json(), mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.add_etag()
    return response.make_conditional(request)
