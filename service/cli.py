"""Every `flask …` command group, registered in one place; each domain owns its commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup


def register(app: Flask) -> None:
    from service.accounts.cli import moderators_cli, sites_cli
    from service.demo.cli import demo_cli
    from service.porting.cli import export_command, import_cli
    from service.privacy.cli import privacy_cli
    from service.shares.cli import shares_cli

    for group in (
        sites_cli,
        moderators_cli,
        demo_cli,
        LazySpamCommands("spam", help="Train, measure and roll back the spam models."),
        shares_cli,
    ):
        app.cli.add_command(group)
    for command in (import_cli, export_command, privacy_cli):
        app.cli.add_command(command)


class LazySpamCommands(AppGroup):
    """`flask spam …`, imported when a spam command runs: those need scikit-learn, which the
    web process never loads (the app registers its commands each time it is created)."""

    @staticmethod
    def _commands() -> AppGroup:
        from service.spam.cli import spam_cli  # noqa: PLC0415 - deferred on purpose, see above

        return spam_cli

    def get_short_help_str(self, limit: int = 45) -> str:
        return self._commands().get_short_help_str(limit)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._commands().get_command(ctx, name)
