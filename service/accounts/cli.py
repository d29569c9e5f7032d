"""`flask sites …` and `flask moderators …`: sites, moderators, roles and tokens from the shell."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from service.accounts import passwords
from service.accounts import services as accounts
from service.accounts.models import Moderator, Role, Site
from service.extensions import db
from service.http.errors import ApiError

sites_cli = AppGroup("sites", help="Manage the sites that embed Talkback.")
moderators_cli = AppGroup("moderators", help="Manage moderators and their API tokens.")


@sites_cli.command("create")
@click.argument("slug")
@click.option("--name", default="")
@click.option("--origin", "origins", multiple=True, help="Allowed origin, repeatable.")
@click.option("--policy", default="hold_all")
def create_site(slug: str, name: str, origins: tuple[str, ...], policy: str) -> None:
    try:
        site = accounts.create_site(slug, name or slug, list(origins), policy)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"created site {site.slug}")


@sites_cli.command("list")
def list_sites() -> None:
    for site in db.session.scalars(select(Site).order_by(Site.slug)):
        click.echo(
            f"{site.slug}\t{site.name}\t{site.moderation_policy}\t{' '.join(site.allowed_origins)}"
        )


@moderators_cli.command("create")
@click.argument("email")
@click.option("--site", "site_slug", required=True)
@click.option("--role", default=Role.MODERATOR, type=click.Choice(Role.ALL))
def create_moderator(email: str, site_slug: str, role: str) -> None:
    """Create (or extend) a moderator and print a new API token."""
    try:
        site = accounts.get_site(site_slug)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    moderator = accounts.get_or_create_moderator(email)
    accounts.grant_role(moderator, site, role)
    token = accounts.issue_api_token(moderator, label="cli")
    click.echo(f"moderator {moderator.email} is {role} of {site.slug}")
    click.echo(f"token: {token}")


@moderators_cli.command("list")
def list_moderators() -> None:
    for moderator in db.session.scalars(select(Moderator).order_by(Moderator.email)):
        roles = ", ".join(f"{m.site.slug}:{m.role}" for m in moderator.memberships)
        state = "active" if moderator.is_active else "disabled"
        click.echo(f"{moderator.email}\t{state}\t{roles}")


def _moderator_or_fail(email: str) -> Moderator:
    moderator = passwords.find_moderator(email)
    if moderator is None:
        raise click.ClickException(f"No moderator with e-mail {email}.")
    return moderator


@moderators_cli.command("disable")
@click.argument("email")
def disable_moderator(email: str) -> None:
    """Block sign-in and every API token of this moderator (memberships are kept)."""
    moderator = _moderator_or_fail(email)
    moderator.is_active = False
    db.session.commit()
    click.echo(f"moderator {moderator.email} is disabled")


@moderators_cli.command("set-password")
@click.argument("email")
@click.password_option("--password", help="Prompted for (twice) when not given.")
def set_moderator_password(email: str, password: str) -> None:
    """Set the dashboard password; this signs the moderator out everywhere and revokes
    their API tokens."""
    moderator = _moderator_or_fail(email)
    try:
        passwords.set_password(moderator, password)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"password set for {moderator.email}")
