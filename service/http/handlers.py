"""One error handler for the whole app: every error leaves as `{"error": {"code", "message"}}`."""

from __future__ import annotations

from contextlib import suppress

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from service.extensions import db
from service.http.errors import ApiError, ServiceUnavailable

# Statuses where `Retry-After` means something (RFC 9110 15.5.20 / 15.6.4 and RFC 6585).
RETRY_AFTER_STATUSES = frozenset({429, 503})
# Errors meaning "the database cannot be reached right now", not "this request is wrong".
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)

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
    """Register before Flask-Limiter so `only_meaningful_retry_after` runs after its headers."""

    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return jsonify(error.to_dict()), error.status, error.headers()

    def handle_database_unavailable(error: Exception):
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        app.logger.warning("database unavailable, answering 503: %s", reason)
        with suppress(Exception):  # the connection is gone; the session is dropped anyway
            db.session.rollback()
        unavailable = ServiceUnavailable("The database is unavailable; please try again shortly.")
        if wants_json():
            return handle_api_error(unavailable)
        return "Service temporarily unavailable", 503, unavailable.headers()

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, handle_database_unavailable)

    @app.after_request
    def only_meaningful_retry_after(response: Response) -> Response:
        # Flask-Limiter puts its window's reset on every limited route; a 202 carrying
        # Retry-After tells clients to wait for nothing, and on a 503 the limiter's value
        # would replace the recovery hint.
        if response.status_code not in RETRY_AFTER_STATUSES:
            response.headers.pop("Retry-After", None)
        elif response.status_code == 503:
            response.headers["Retry-After"] = str(int(app.config["RETRY_AFTER_SECONDS"]))
        return response

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if not wants_json():
            return error
        code = HTTP_CODES.get(error.code or 500, "http_error")
        body = {"error": {"code": code, "message": error.description or error.name}}
        response = jsonify(body)
        response.status_code = error.code or 500
        # Keep what the exception says beside its body: `Allow` on a 405 (RFC 9110 requires
        # it), `Retry-After` on a 429 or 503, `WWW-Authenticate` on a 401.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(500)
    def handle_server_error(error):
        if not wants_json():
            return "Internal server error", 500
        body = {"error": {"code": "internal", "message": "Something went wrong on our side."}}
        return jsonify(body), 500
