"""Security headers for the signed-in HTML pages (no inline script or style anywhere)."""

from __future__ import annotations

from flask import Response

DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def dashboard_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", DASHBOARD_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response
