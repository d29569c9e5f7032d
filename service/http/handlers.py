"""One error handler for the whole app: every error leaves as `{"error": {"code", "message"}}`."""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from service.http.errors import ApiError

# Stable codes for the HTTP errors Werkzeug raises before our code runs.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return jsonify(error.to_dict()), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if not wants_json():
            return error
        code = HTTP_CODES.get(error.code or 500, "http_error")
        body = {"error": {"code": code, "message": error.description or error.name}}
        response = jsonify(body)
        response.status_code = error.code or 500
        return response

    @app.errorhandler(500)
    def handle_server_error(error):
        if not wants_json():
            return "Internal server error", 500
        body = {"error": {"code": "internal", "message": "Something went wrong on our side."}}
        return jsonify(body), 500
