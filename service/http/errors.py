"""Errors are data: one exception family, rendered as `{"error": {...}}` by http.handlers."""

from __future__ import annotations


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

    def headers(self) -> dict[str, str]:
        """Headers HTTP requires beside this status (none for most errors)."""
        return {}

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

    def headers(self) -> dict[str, str]:
        """RFC 9110 requires a challenge on every 401; RFC 6750 says how a bearer API words it."""
        challenge = 'Bearer realm="talkback"'
        if self.code == "bad_token":
            challenge += ', error="invalid_token"'
        return {"WWW-Authenticate": challenge}


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class ServiceUnavailable(ApiError):
    """A dependency (the database, the broker) is down: try again shortly, nothing is wrong
    with the request. Answered with a `Retry-After` of TALKBACK_RETRY_AFTER_SECONDS."""

    status = 503
    code = "service_unavailable"

    def __init__(self, message: str, *, checks: dict[str, bool] | None = None):
        super().__init__(message)
        self.checks = checks

    def headers(self) -> dict[str, str]:
        from flask import current_app  # here: errors.py stays importable by pure modules

        return {"Retry-After": str(int(current_app.config["RETRY_AFTER_SECONDS"]))}

    def to_dict(self) -> dict:
        body = super().to_dict()
        if self.checks is not None:
            body["checks"] = self.checks
        return body
