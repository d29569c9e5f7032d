"""Imports started from the dashboard: the upload is stored, a worker runs the same import
as `flask import`, and the job row carries its progress and result for the status page."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage

from service import queue
from service.accounts.models import Moderator, Site
from service.extensions import db
from service.http.errors import ValidationError
from service.porting import formats
from service.porting.importer import run_import
from service.porting.models import ImportJob
from service.porting.records import ImportFailed
from service.timeutil import utcnow

log = logging.getLogger(__name__)

FINISHED = ("done", "failed")
PROBLEMS_KEPT = 100
# Progress is written at most this often (in units: bytes, or Isso rows).
PROGRESS_STEPS = 50


def upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_import(
    site: Site,
    moderator: Moderator,
    source: str,
    upload: FileStorage | None,
    *,
    dry_run: bool,
    with_pingbacks: bool,
) -> ImportJob:
    """Store the uploaded file and queue the import; the worker does the rest."""
    if source not in formats.DESCRIPTIONS:
        raise ValidationError(
            "Choose one of the listed formats.", code="invalid_format", field="source"
        )
    if upload is None or not upload.filename:
        raise ValidationError("Choose a file to import.", code="missing_field", field="file")
    path = upload_folder() / f"{secrets.token_hex(16)}.upload"
    upload.save(path)
    if path.stat().st_size == 0:
        path.unlink()
        raise ValidationError("The file is empty.", code="empty_file", field="file")
    job = ImportJob(
        site_id=site.id,
        started_by=moderator.id,
        source=source,
        filename=Path(upload.filename).name[:255],
        path=str(path),
        dry_run=dry_run,
        with_pingbacks=with_pingbacks,
        problems=[],
    )
    db.session.add(job)
    db.session.commit()
    queue.send(queue.RUN_IMPORT_JOB, job.id)
    return job


def _progress_writer(job_id: int, total: int):
    """Counts units; writes the count to the job row every 1/PROGRESS_STEPS of the way.

    The row is updated in the importer's session, so it is committed with the next batch.
    """
    step = max(1, total // PROGRESS_STEPS)
    state = {"done": 0, "written": 0}

    def advance(units: int = 1) -> None:
        state["done"] += units
        if state["done"] - state["written"] >= step:
            state["written"] = state["done"]
            db.session.execute(
                update(ImportJob).where(ImportJob.id == job_id).values(done_units=state["done"])
            )

    return advance


def run_job(job_id: int) -> str | None:
    """Run a queued import; a second delivery of a finished job does nothing, and one that
    was interrupted simply runs again (imports are idempotent)."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status in FINISHED:
        return None
    path = Path(job.path)
    job.status = "running"
    try:
        job.total_units = formats.work_size(job.source, path)
        db.session.commit()
        advance = _progress_writer(job.id, job.total_units)
        by_bytes = formats.counts_bytes(job.source)
        with formats.open_records(job.source, path, advance) as records:
            report = run_import(
                db.session.get(Site, job.site_id),
                job.source,
                records,
                dry_run=job.dry_run,
                with_pingbacks=job.with_pingbacks,
                progress=None if by_bytes else advance,
            )
    except (ImportFailed, OSError) as error:
        db.session.rollback()
        return _finish(job_id, "failed", f"{job.filename}: {error}", [])
    return _finish(job_id, "done", report.summary(), [str(p) for p in report.problems])


def _finish(job_id: int, status: str, summary: str, problems: list[str]) -> str:
    job = db.session.get(ImportJob, job_id)
    job.status = status
    job.summary = summary[:1000]
    job.problems = problems[:PROBLEMS_KEPT]
    job.done_units = job.total_units if status == "done" else job.done_units
    job.finished_at = utcnow()
    db.session.commit()
    Path(job.path).unlink(missing_ok=True)
    return status


def jobs_of(site: Site, limit: int = 10) -> list[ImportJob]:
    return list(
        db.session.scalars(
            select(ImportJob)
            .where(ImportJob.site_id == site.id)
            .order_by(ImportJob.id.desc())
            .limit(limit)
        )
    )


def job_of(site: Site, job_id: int) -> ImportJob | None:
    job = db.session.get(ImportJob, job_id)
    return job if job is not None and job.site_id == site.id else None
