"""`flask sites …` and `flask moderators …`: sites, moderators, roles and tokens from the shell."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from service.accounts import onboarding, origins, passwords
from service.accounts import services as accounts
from service.accounts.models import Moderator, Role, Site
from service.extensions import db
from service.http.errors import ApiError

sites_cli = AppGroup("sites", help="Manage the sites that embed Talkback.")
moderators_cli = AppGroup("moderators", help="Manage moderators and their API tokens.")


def _site_or_fail(slug: str) -> Site:
    try:
        return accounts.get_site(slug)
    except ApiError as error:
        raise click.ClickException(error.message) from None


@sites_cli.command("create")
@click.argument("slug")
@click.option("--name", default="")
@click.option("--origin", "origin_list", multiple=True, help="Allowed origin, repeatable.")
@click.option("--policy", default="hold_all")
@click.option("--owner", default="", help="E-mail of the first owner: prints their invitation.")
@click.option("--url", "base_url", default="", help="This service's address, for the snippet.")
def create_site(
    slug: str, name: str, origin_list: tuple[str, ...], policy: str, owner: str, base_url: str
) -> None:
    """Create a site; print its embed snippet and, with --owner, the owner's invitation."""
    try:
        parsed = [origins.parse_origin(origin) for origin in origin_list]
        site = accounts.create_site(slug, name or slug, parsed, policy)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    base_url = onboarding.service_base_url(base_url)
    click.echo(f"created site {site.slug} (allowed origins: {' '.join(parsed) or 'none yet'})")
    click.echo("\nPaste this where comments belong on every post of your blog:\n")
    click.echo(onboarding.embed_snippet(site, base_url))
    if owner:
        moderator, link = onboarding.invite_owner(site, owner, base_url)
        click.echo(f"\n{moderator.email} owns {site.slug}.")
        if link:
            days = passwords.INVITATION_MAX_AGE // 86400
            click.echo(f"Invitation (choose a password, valid {days} days):\n{link}")
    if not parsed:
        click.echo(f"\nNo origin allowed yet: flask sites update {site.slug} --add-origin URL")


@sites_cli.command("update")
@click.argument("slug")
@click.option("--add-origin", "added", multiple=True, help="Allow an origin, repeatable.")
@click.option("--remove-origin", "removed", multiple=True, help="Refuse an origin, repeatable.")
@click.option("--name", default=None)
def update_site(slug: str, added: tuple[str, ...], removed: tuple[str, ...], name: str | None):
    """Change a site's allowed origins (exact scheme://host[:port]) or its name."""
    site = _site_or_fail(slug)
    try:
        for origin in added:
            click.echo(f"allowed {origins.add_origin(site, origin)}")
        for origin in removed:
            click.echo(f"removed {origins.remove_origin(site, origin)}")
    except ApiError as error:
        raise click.ClickException(error.message) from None
    if name:
        site.name = name
        db.session.commit()
    click.echo(f"{site.slug} allows: {' '.join(site.allowed_origins) or 'no origin'}")


@sites_cli.command("snippet")
@click.argument("slug")
@click.option("--url", "base_url", default="", help="This service's address.")
def print_snippet(slug: str, base_url: str) -> None:
    """Print the site's embed snippet again."""
    click.echo(onboarding.embed_snippet(_site_or_fail(slug), onboarding.service_base_url(base_url)))


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
    site = _site_or_fail(site_slug)
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
