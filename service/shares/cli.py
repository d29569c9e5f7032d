"""`flask shares check URL_OR_FILE`: what each network will show for a page, and what to fix."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from service.http.errors import ApiError
from service.shares import preview, preview_rules

shares_cli = AppGroup("shares", help="Share links and link previews.")


@shares_cli.command("check")
@click.argument("target")
@click.option("--allow-private", is_flag=True, help="Also fetch private/loopback addresses.")
def check_command(target: str, allow_private: bool) -> None:
    """Check the Open Graph / Twitter Card tags of a URL or a saved HTML file."""
    path = Path(target)
    if "://" not in target and path.is_file():
        page = preview.Page(url="", html=path.read_text(encoding="utf-8", errors="replace"))
    else:
        try:
            page = preview.fetch_page(target, allow_private=allow_private)
        except ApiError as error:
            raise click.ClickException(error.message) from None
    report = preview_rules.check(preview.read_tags(page.html, page.url))
    for network, shown in report["networks"].items():
        click.echo(f"{network:9} {shown['layout']:20} {shown['title'][:60]!r}")
        if shown["image"]:
            click.echo(f"{'':9} image {shown['image']}")
    for item in report["problems"]:
        click.echo(f"{item['level'].upper():7} {item['code']}: {item['message']}")
    if not report["ok"]:
        raise click.exceptions.Exit(1)
    click.echo("OK: no errors (warnings above, if any, are worth fixing too).")
