"""Flask extensions, created once here and bound to an app in `create_app`.

Flask-Migrate (and Alembic, Mako, Pygments under it: about 9 MiB per web worker) is not
among them: only `flask db` and the migration tests need it, see `service/migrations.py`.
"""

import sys
import time
from datetime import datetime

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase, registry


class Base(DeclarativeBase):
    # Aware timestamps everywhere: PostgreSQL stores timestamptz, SQLite gets UTC text.
    registry = registry(type_annotation_map={datetime: DateTime(timezone=True)})


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL and a busy timeout let the web process, worker and beat share one SQLite file."""
    # Only an SQLite engine has imported sqlite3; PostgreSQL processes never load it.
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


IDLE_SINCE = "talkback_idle_since"


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only if it sat unused for `idle_seconds`.

    SQLAlchemy's `pool_pre_ping` costs every request a round trip. A connection in steady
    use has just proved it works; one left idle is the kind a database restart, a proxy or
    an idle timeout may have dropped meanwhile. Like the pre-ping, a dead one is replaced
    with every connection older than it (the pool is invalidated); a connection that dies
    between two busy requests fails that one request (503 with Retry-After, see
    http/handlers.py) and invalidates the pool the same way.
    """
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _note_idle(_dbapi_connection, record) -> None:
        record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        since = record.info.get(IDLE_SINCE)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # new (connecting proved it works) or in steady use
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise InvalidatePoolError(f"idle connection lost: {error}") from error
            raise
