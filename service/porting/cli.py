"""`flask import disqus|wordpress|isso|remark42|json FILE --site SLUG` and `flask export SITE`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext
from tqdm import tqdm

from service.accounts.models import Site
from service.accounts.services import get_site
from service.http.errors import ApiError
from service.porting import formats
from service.porting.importer import ImportReport, run_import
from service.porting.records import ImportFailed

import_cli = AppGroup(
    "import", help="Import comments from Disqus, WordPress, Isso, Remark42 or JSON."
)
MAX_PROBLEMS_SHOWN = 50


def _site(slug: str) -> Site:
    try:
        return get_site(slug)
    except ApiError as error:
        raise click.ClickException(error.message) from None


def _print_report(report: ImportReport) -> None:
    click.echo(report.summary())
    for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"  {problem}", err=True)
    if len(report.problems) > MAX_PROBLEMS_SHOWN:
        click.echo(f"  ... and {len(report.problems) - MAX_PROBLEMS_SHOWN} more", err=True)


def _import_with_progress(
    site: Site, name: str, path: Path, dry_run: bool, with_pingbacks: bool, quiet: bool
) -> ImportReport:
    """The import with a progress bar on stderr: over the file's bytes, or Isso's rows."""
    by_bytes = formats.counts_bytes(name)
    with (
        tqdm(
            total=formats.work_size(name, path),
            unit="B" if by_bytes else " comments",
            unit_scale=by_bytes,
            disable=quiet,
            file=sys.stderr,
            leave=False,
        ) as bar,
        formats.open_records(name, path, bar.update) as records,
    ):
        return run_import(
            site,
            name,
            records,
            dry_run=dry_run,
            with_pingbacks=with_pingbacks,
            progress=None if by_bytes else lambda: bar.update(1),
        )


def _import_command(name: str, help_text: str) -> None:
    @import_cli.command(name, help=help_text)
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--site", "site_slug", required=True, help="Slug of the site to import into.")
    @click.option("--dry-run", is_flag=True, help="Read and check everything; write nothing.")
    @click.option("--with-pingbacks", is_flag=True, help="Also import pingbacks/trackbacks.")
    @click.option("--quiet", is_flag=True, help="No progress bar.")
    @with_appcontext
    def command(path: Path, site_slug: str, dry_run: bool, with_pingbacks: bool, quiet: bool):
        site = _site(site_slug)
        try:
            report = _import_with_progress(site, name, path, dry_run, with_pingbacks, quiet)
        except ImportFailed as error:
            raise click.ClickException(f"{path}: {error}") from None
        _print_report(report)
        if report.problems:
            sys.exit(1)


for _name, _help in formats.DESCRIPTIONS.items():
    _import_command(_name, _help)


@click.command("export")
@click.argument("site_slug")
@click.option("--format", "format_name", type=click.Choice(formats.WRITERS), default="json")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout."
)
@with_appcontext
def export_command(site_slug: str, format_name: str, output: Path | None) -> None:
    """Write every comment of a site (all states) as Talkback JSON or Disqus XML."""
    site = _site(site_slug)
    writer = formats.WRITERS[format_name]
    if output is None:
        count = writer(site, sys.stdout)
    else:
        with output.open("w", encoding="utf-8", newline="\n") as out:
            count = writer(site, out)
    click.echo(f"exported {count} comment(s) of {site.slug} as {format_name}", err=True)
