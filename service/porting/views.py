"""Dashboard pages for a site owner: download the site's comments, upload an import and
watch it run. Owner only; the upload limit is TALKBACK_IMPORT_UPLOAD_MAX_BYTES.

Linked from the dashboard as `url_for("porting_dashboard.transfer", slug=site.slug)`.
Every format's reader and writer (defusedxml, sqlite3, the importer) is imported by the
page that uses it, not by every web worker that registers these routes.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from service.accounts.auth import current_moderator, login_required, member_site
from service.http.errors import ApiError

bp = Blueprint("porting_dashboard", __name__, url_prefix="/moderate/sites")

DOWNLOADS = {"json": ("application/json", "json"), "disqus": ("application/xml", "xml")}


@bp.url_value_preprocessor
def _allow_large_uploads(endpoint: str | None, _values: dict | None) -> None:
    # A URL value preprocessor, because these run before every before_request hook, and
    # the CSRF check (one of those) reads the form under the app-wide 256 KB limit.
    if endpoint == "porting_dashboard.start_import":
        request.max_content_length = current_app.config["IMPORT_UPLOAD_MAX_BYTES"] + 64 * 1024


@bp.after_request
def _private(response):
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def _page(site, *, error: ApiError | None = None, status: int = 200):
    from service.porting import formats, jobs

    body = render_template(
        "porting/transfer.html",
        site=site,
        formats=formats.DESCRIPTIONS,
        jobs=jobs.jobs_of(site),
        error=error,
        max_mb=current_app.config["IMPORT_UPLOAD_MAX_BYTES"] // (1 << 20),
    )
    return body, status


@bp.get("/<slug>/transfer")
@login_required
def transfer(slug: str):
    return _page(member_site(slug, owner=True))


@bp.get("/<slug>/export.<kind>")
@login_required
def export(slug: str, kind: str):
    from service.porting import formats

    site = member_site(slug, owner=True)
    name = {"json": "json", "xml": "disqus"}.get(kind) or abort(404)
    out = io.StringIO()
    formats.WRITERS[name](site, out)
    mimetype, extension = DOWNLOADS[name]
    filename = f"talkback-{site.slug}-{name}.{extension}"
    return Response(
        out.getvalue().encode("utf-8"),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/<slug>/import")
@login_required
def start_import(slug: str):
    from service.porting import jobs

    site = member_site(slug, owner=True)
    try:
        job = jobs.start_import(
            site,
            current_moderator(),
            request.form.get("source", ""),
            request.files.get("file"),
            dry_run=request.form.get("dry_run") == "on",
            with_pingbacks=request.form.get("with_pingbacks") == "on",
        )
    except ApiError as error:
        return _page(site, error=error, status=error.status)
    return redirect(url_for("porting_dashboard.import_job", slug=site.slug, job_id=job.id), 303)


@bp.get("/<slug>/import/<id:job_id>")
@login_required
def import_job(slug: str, job_id: int):
    from service.porting import jobs

    site = member_site(slug, owner=True)
    job = jobs.job_of(site, job_id) or abort(404)
    return render_template("porting/job.html", site=site, job=job)
