"""`flask demo seed`: the demo site and its moderator, for `make run`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from service.accounts import passwords
from service.accounts import services as accounts
from service.accounts.models import Role, Site
from service.extensions import db

demo_cli = AppGroup("demo", help="The demo site.")

DEMO_EMAIL = "demo@talkback.invalid"
DEMO_PASSWORD = "talkback-demo"


@demo_cli.command("seed")
@click.option("--origin", default="http://127.0.0.1:5000")
def seed_demo(origin: str) -> None:
    """Create the demo site and moderator if missing, and print a fresh token."""
    site = db.session.scalar(select(Site).where(Site.slug == "demo"))
    if site is None:
        site = accounts.create_site("demo", "Talkback demo blog", [origin])
    moderator = accounts.get_or_create_moderator(DEMO_EMAIL, "Demo moderator")
    accounts.grant_role(moderator, site, Role.OWNER)
    # A password printed in the README must not open a production dashboard.
    in_production = current_app.config.get("ENV_NAME") == "production"
    if not moderator.password_hash and not in_production:
        passwords.set_password(moderator, DEMO_PASSWORD)
    token = accounts.issue_api_token(moderator, label="demo")
    click.echo(f"demo site: {site.slug}")
    if in_production:
        click.echo(f"demo moderator: {DEMO_EMAIL} (no password in production: run")
        click.echo(f"  flask moderators set-password {DEMO_EMAIL})")
    else:
        click.echo(f"demo moderator: {DEMO_EMAIL} (dashboard password: {DEMO_PASSWORD})")
    click.echo(f"demo token: {token}")
