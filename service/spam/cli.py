"""`flask spam …`: train, measure, roll back and list the spam models.

`evaluate`, `replay`, `crossval` and `curve` need no database: they score CSV rows with the model
plus the text-only gates (see `spam_eval`) and, with --json, print one JSON object on the
last line. `train` without --site rebuilds the shipped base model file.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from service.accounts.services import get_site
from service.config import DEFAULT_APPROVE_BELOW, DEFAULT_SPAM_AT
from service.http.errors import ApiError
from service.spam import corpus as spam_corpus
from service.spam import evaluation as spam_eval
from service.spam import learning as spam_learning
from service.spam import model as spam_model
from service.spam import storage as spam_storage

spam_cli = AppGroup("spam", help="Train, measure and roll back the spam models.")

METRICS_HELP = (
    "mcc/f1/precision/recall count a comment as spam when its score is >= 0.5; "
    "spam_caught_rate = share of spam sent to the spam folder (score >= --spam-at and the "
    "evidence policy agrees); ham_flagged_rate = share of ham sent there; ham_held_rate = "
    "share of ham scored >= --approve-below; *_kept_from_folder_rate = share past --spam-at "
    "that the policy held for review instead. Scores come from the model plus the text-only "
    "gates (links; replay also gives the duplicate and campaign gates the stream's previous "
    "100 rows), no database."
)
csv_path = click.Path(exists=True, dir_okay=False, path_type=Path)


@contextmanager
def _reported():
    """Bad data (an unreadable CSV, one class only, too few sources) is a message, not a trace."""
    try:
        yield
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _read(paths: tuple[Path, ...] | list[Path]) -> list[spam_model.Example]:
    with _reported():
        return [row for path in paths for row in spam_corpus.read_csv(path)]


def _thresholds(function):
    function = click.option("--spam-at", default=DEFAULT_SPAM_AT, show_default=True, type=float)(
        function
    )
    return click.option(
        "--approve-below",
        default=DEFAULT_APPROVE_BELOW,
        show_default=True,
        type=float,
    )(function)


def _print_metrics(label: str, figures: dict) -> None:
    shown = ", ".join(f"{key}={value}" for key, value in figures.items())
    click.echo(f"{label}: {shown}")


@spam_cli.command("train")
@click.option("--csv", "csvs", multiple=True, required=True, type=csv_path)
@click.option("--site", "slug", default=None, help="Retrain this site's copy (a new version).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the base model (default: the shipped model file).",
)
def train(csvs: tuple[Path, ...], slug: str | None, out: Path | None) -> None:
    """Train a model from CSV files (header text,label[,source])."""
    examples = _read(csvs)
    sources = [path.name for path in csvs]
    if slug:
        try:
            get_site(slug)
        except ApiError as error:
            raise click.ClickException(error.message) from None
        with _reported():
            version = spam_learning.train_site(slug, examples, sources)
        click.echo(f"site {slug}: model v{version} trained on {len(examples)} rows")
        return
    target = out or Path(current_app.config.get("SPAM_BASE_MODEL") or spam_storage.BASE_MODEL_PATH)
    with _reported():
        model = spam_model.train_on(examples, trained_on=sources)
    spam_storage.save(model, target)
    click.echo(f"base model trained on {len(examples)} rows -> {target}")


@spam_cli.command("evaluate", epilog=METRICS_HELP)
@click.option("--train", "train_files", multiple=True, required=True, type=csv_path)
@click.option("--test", "test_file", required=True, type=csv_path)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
@_thresholds
def evaluate(
    train_files: tuple[Path, ...],
    test_file: Path,
    as_json: bool,
    spam_at: float,
    approve_below: float,
) -> None:
    """Train a fresh model on --train files only and measure it on --test."""
    train, test = _read(train_files), _read([test_file])
    with _reported():
        figures, _ = spam_eval.evaluate(train, test, spam_at=spam_at, approve_below=approve_below)
    _print_metrics("evaluate", figures)
    if as_json:
        click.echo(json.dumps(figures))


@spam_cli.command("replay", epilog=METRICS_HELP)
@click.option("--train", "train_files", multiple=True, required=True, type=csv_path)
@click.option("--stream", "stream_file", required=True, type=csv_path)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
@_thresholds
def replay(
    train_files: tuple[Path, ...],
    stream_file: Path,
    as_json: bool,
    spam_at: float,
    approve_below: float,
) -> None:
    """Start from a model trained on --train, then score and learn --stream row by row.

    The JSON line has the online (learning) figures; the frozen model's figures on the
    same stream are printed on the line before, for comparison.
    """
    train, stream = _read(train_files), _read([stream_file])
    with _reported():
        result = spam_eval.replay(train, stream, spam_at=spam_at, approve_below=approve_below)
    _print_metrics("frozen", result["frozen"])
    _print_metrics("online", result["online"])
    if as_json:
        click.echo(json.dumps(result["online"]))


@spam_cli.command("crossval", epilog=METRICS_HELP)
@click.option("--csv", "csvs", multiple=True, required=True, type=csv_path)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
@_thresholds
def crossval(csvs: tuple[Path, ...], as_json: bool, spam_at: float, approve_below: float) -> None:
    """Leave-one-source-out cross-validation over the CSV's `source` column."""
    examples = _read(csvs)
    with _reported():
        result = spam_eval.crossval(examples, spam_at=spam_at, approve_below=approve_below)
    for source, figures in result["folds"].items():
        _print_metrics(f"without {source}", figures)
    _print_metrics("mean", result["mean"])
    if as_json:
        click.echo(json.dumps(result))


@spam_cli.command("curve")
@click.option("--csv", "csvs", multiple=True, required=True, type=csv_path)
@click.option(
    "--always",
    multiple=True,
    help="A source used in every training set and never held out (e.g. sms).",
)
@click.option("--seeds", default=3, show_default=True, type=click.IntRange(1, 20))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def curve(csvs: tuple[Path, ...], always: tuple[str, ...], seeds: int, as_json: bool) -> None:
    """Mean MCC on a held-out source against the number of sources trained on.

    Reads the leave-one-source-out figures in the light of how much more data the
    shipped model has; the point for all sources is a power-law extrapolation.
    """
    examples = _read(csvs)
    with _reported():
        result = spam_eval.learning_curve(examples, always=always, seeds=seeds)
    for point in result["points"]:
        click.echo(
            f"trained on {point['sources']} source(s): mean mcc={point['mcc']} "
            f"over {point['folds']} folds x {seeds} seeds"
        )
    if "extrapolated" in result:
        guess = result["extrapolated"]
        click.echo(f"extrapolated to {guess['sources']} sources: mcc~{guess['mcc']}")
    if as_json:
        click.echo(json.dumps(result))


@spam_cli.command("rollback")
@click.option("--site", "slug", required=True)
def rollback(slug: str) -> None:
    """Point a site back at its previous model version."""
    try:
        version = spam_learning.rollback(slug)
    except spam_model.ModelUnavailable as error:
        raise click.ClickException(f"site {slug}: {error}") from None
    click.echo(f"site {slug}: now using model v{version}")


@spam_cli.command("versions")
@click.option("--site", "slug", required=True)
def versions(slug: str) -> None:
    """List a site's model versions; * marks the one in use."""
    models = spam_learning.site_models(slug)
    current = models.current_version()
    if current is None:
        click.echo(f"site {slug}: no own copy yet, using {models.base_path}")
    for version in models.versions():
        click.echo(f"{'*' if version == current else ' '} v{version}")
