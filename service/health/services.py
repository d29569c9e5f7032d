"""Readiness checks: can this process reach its database and its broker right now?"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import text

from service.extensions import db

log = logging.getLogger(__name__)

# A readiness probe must answer before the load balancer gives up on it.
BROKER_CHECK_TIMEOUT_SECONDS = 2.0


def database_ready() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not ready", and is logged
        log.warning("readiness: database unreachable", exc_info=True)
        db.session.rollback()
        return False
    db.session.rollback()
    return True


def broker_ready() -> bool:
    celery = current_app.extensions["celery"]
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_CHECK_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - any failure means "not ready", and is logged
        log.warning("readiness: broker unreachable", exc_info=True)
        return False
    return True


def readiness() -> dict[str, bool]:
    return {"database": database_ready(), "broker": broker_ready()}
