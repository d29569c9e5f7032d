"""Errors are data: one exception family and one handler that renders `{"error": {...}}`."""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def with_status(self, status: int) -> ApiError:
        self.status = status
        return self

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return {"error": body}


class ValidationError(ApiError):
    status = 422
    code = "invalid"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class Conflict(ApiError):
    status = 409
    code = "conflict"


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
