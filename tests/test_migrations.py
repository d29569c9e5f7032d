"""Alembic migrations build the same schema as the models, on PostgreSQL and SQLite."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from service import create_app
from service.extensions import db


def schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_there_is_exactly_one_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migrations_match_the_models_on_sqlite(tmp_path):
    app = create_app(
        {"TALKBACK_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"}
    )
    with app.app_context():
        upgrade()
    assert schema_differences(app) == []


@pytest.mark.integration
def test_migrations_match_the_models_on_postgresql_and_downgrade_cleanly(pg_app):
    assert schema_differences(pg_app) == []
    with pg_app.app_context():
        downgrade(revision="base")
        upgrade()
    assert schema_differences(pg_app) == []


def test_flask_db_upgrade_builds_the_schema_with_flask_migrates_own_options(tmp_path):
    """`flask db` is registered without importing Flask-Migrate; its group still runs."""
    app = create_app(
        {"TALKBACK_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}"}
    )
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["db", "--help"])
    assert "upgrade" in listing.output and "downgrade" in listing.output
    # The group's own option reaches Alembic: a folder with no migrations upgrades nothing.
    elsewhere = runner.invoke(args=["db", "-d", str(tmp_path / "nowhere"), "upgrade"])
    assert elsewhere.exit_code != 0
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert schema_differences(app) == []
