"""What `flask db …` and the migration tests need, without loading Alembic in web processes.

Flask-Migrate's `init_app` imports Alembic, Mako and Pygments (about 9 MiB per gunicorn
worker) to register a command a web worker never runs. Instead the app carries what
Flask-Migrate's functions and `migrations/env.py` read from `app.extensions["migrate"]`,
and the real `Migrate` is built the first time a migration asks for it; the `db` command
group itself is registered lazily by `service/cli.py`.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from flask_migrate import Migrate
    from flask_sqlalchemy import SQLAlchemy

# Flask-Migrate's defaults, which Alembic's autogenerate and env.py receive as they are.
ALEMBIC_OPTIONS = {"compare_type": True, "render_as_batch": True}


class MigrationSettings:
    """Flask-Migrate's `app.extensions["migrate"]` (its `_MigrateConfig`), built lazily."""

    def __init__(self, db: SQLAlchemy, directory: str) -> None:
        self.db = db
        self.directory = directory
        self.configure_args = dict(ALEMBIC_OPTIONS)

    @property
    def metadata(self):
        return self.db.metadata

    @cached_property
    def migrate(self) -> Migrate:
        from flask_migrate import Migrate

        return Migrate(db=self.db, directory=self.directory, **self.configure_args)


def init_app(app: Flask, db: SQLAlchemy, directory: Path) -> None:
    app.extensions["migrate"] = MigrationSettings(db, str(directory))
