"""`/healthz` (the process answers) and `/readyz` (it can reach its database and broker).

Liveness never looks at dependencies: restarting web servers because the database is down
only adds a stampede to the outage. Readiness takes an instance out of rotation instead.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from service.health import services
from service.http.errors import ServiceUnavailable

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    checks = services.readiness()
    if not all(checks.values()):
        down = ", ".join(name for name, ok in checks.items() if not ok)
        raise ServiceUnavailable(f"Not ready: {down} unreachable.", checks=checks)
    return jsonify({"status": "ready", "checks": checks})
