"""Every `flask …` command group, registered in one place; each domain owns its commands."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from service.accounts.cli import moderators_cli, sites_cli
    from service.demo.cli import demo_cli
    from service.porting.cli import export_command, import_cli
    from service.privacy.cli import privacy_cli
    from service.shares.cli import shares_cli
    from service.spam.cli import spam_cli

    for group in (sites_cli, moderators_cli, demo_cli, spam_cli, shares_cli):
        app.cli.add_command(group)
    for command in (import_cli, export_command, privacy_cli):
        app.cli.add_command(command)
