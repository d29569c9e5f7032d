"""Flask extensions, created once here and bound to an app in `create_app`.

Flask-Migrate (and Alembic, Mako, Pygments under it: about 9 MiB per web worker) is not
among them: only `flask db` and the migration tests need it, see `service/migrations.py`.
"""

import sys
from datetime import datetime

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
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
