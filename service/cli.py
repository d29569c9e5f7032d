"""Every `flask …` command group, registered in one place; each domain owns its commands."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask
from flask.cli import AppGroup


def register(app: Flask) -> None:
    from service.accounts.cli import moderators_cli, sites_cli
    from service.demo.cli import demo_cli
    from service.privacy.cli import privacy_cli
    from service.shares.cli import shares_cli

    for group in (
        sites_cli,
        moderators_cli,
        demo_cli,
        LazyGroup("spam", _spam_commands, help="Train, measure and roll back the spam models."),
        LazyGroup("db", _migration_commands, help="Perform database migrations."),
        shares_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(LazyGroup("import", _import_commands))
    app.cli.add_command(LazyGroup("export", _export_command))
    app.cli.add_command(privacy_cli)


# Imported when one of their commands runs, never by a web process (the app registers its
# commands each time it is created): `flask spam …` needs scikit-learn; `flask db …` needs
# Flask-Migrate's group, which imports Alembic, Mako and Pygments (about 9 MiB); `flask
# import|export` every format's reader and writer, defusedxml, sqlite3 and tqdm.
def _spam_commands() -> click.Group:
    from service.spam.cli import spam_cli

    return spam_cli


def _migration_commands() -> click.Group:
    from flask_migrate.cli import db

    return db


def _import_commands() -> click.Group:
    from service.porting.cli import import_cli

    return import_cli


def _export_command() -> click.Command:
    from service.porting.cli import export_command

    return export_command


class LazyGroup(AppGroup):
    """A command (or group) imported when it runs or is listed: its context is the real
    command's, so the real options and callback (`flask db -d DIR …`) still apply."""

    def __init__(self, name: str, load: Callable[[], click.Command], **attrs) -> None:
        super().__init__(name, **attrs)
        self._load = load

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        return self._load().make_context(info_name, args, parent=parent, **extra)

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.help:
            return super().get_short_help_str(limit)
        return self._load().get_short_help_str(limit)

    def list_commands(self, ctx: click.Context) -> list[str]:
        command = self._load()
        return command.list_commands(ctx) if isinstance(command, click.Group) else []

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = self._load()
        return command.get_command(ctx, name) if isinstance(command, click.Group) else None
