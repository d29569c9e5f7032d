"""`flask privacy export|erase EMAIL`, `flask privacy retention SITE DAYS`, `flask privacy purge`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from service.accounts.services import get_site
from service.http.errors import ApiError
from service.privacy import retention, services

privacy_cli = AppGroup("privacy", help="Export or erase what is held about an e-mail address.")


def _or_fail(call, *args):
    try:
        return call(*args)
    except ApiError as error:
        raise click.ClickException(error.message) from None


@privacy_cli.command("export")
@click.argument("email")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
def export_personal_data(email: str, output: Path | None) -> None:
    """Print (or write) JSON of every record that names EMAIL."""
    document = _or_fail(services.personal_data, email)
    text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_personal_data(email: str, yes: bool) -> None:
    """Anonymise EMAIL's comments to "[deleted]" and delete every other record naming it."""
    address = _or_fail(services.normalise_address, email)
    if not yes:
        click.confirm(f"Erase everything held about {address}? This cannot be undone", abort=True)
    report = services.erase(address)
    for key, value in report.as_dict().items():
        click.echo(f"{key.replace('_', ' ')}: {value}")
    if report.moderator_account_kept:
        click.echo(
            f"{address} is also a moderator account: remove it with `flask moderators disable`.",
            err=True,
        )


@privacy_cli.command("retention")
@click.argument("site_slug")
@click.argument("days", type=int, required=False)
def site_retention(site_slug: str, days: int | None) -> None:
    """Show or set how many days a site keeps IP prefixes and user agents."""
    site = _or_fail(get_site, site_slug)
    if days is not None:
        _or_fail(retention.set_retention_days, site, days)
    click.echo(
        f"{site.slug} keeps IP prefixes and user agents {retention.retention_days(site)} days"
    )


@privacy_cli.command("purge")
def purge() -> None:
    """Blank expired IP prefixes and user agents now (beat does this daily)."""
    click.echo(f"purged network data of {retention.purge_network_data()} comment(s)")
