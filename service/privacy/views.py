"""The site owner's privacy page: download everything the site holds about an address,
and the site's privacy switches (network-data retention, reply mail to readers).

Linked from the dashboard as `url_for("privacy_dashboard.privacy", slug=site.slug)`.
Erasure stays a shell command (`flask privacy erase`): it reaches across every site.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from service.accounts.auth import login_required, member_site
from service.http.errors import ApiError, ValidationError
from service.privacy import retention, services
from service.replies import services as replies

bp = Blueprint("privacy_dashboard", __name__, url_prefix="/moderate/sites")


@bp.after_request
def _private(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _page(site, error: ApiError | None = None, status: int = 200):
    page = render_template(
        "privacy/owner.html",
        site=site,
        error=error,
        retention_days=retention.retention_days(site),
        reply_mail=replies.enabled(site),
    )
    return page, status


@bp.get("/<slug>/privacy")
@login_required
def privacy(slug: str):
    return _page(member_site(slug, owner=True))


@bp.post("/<slug>/privacy/settings")
@login_required
def privacy_settings(slug: str):
    site = member_site(slug, owner=True)
    raw_days = request.form.get("retention_days", "")
    if not raw_days.isdigit():
        error = ValidationError("Give a whole number of days.", code="invalid_retention")
        return _page(site, error, error.status)
    try:
        retention.set_retention_days(site, int(raw_days))
    except ApiError as error:
        return _page(site, error, error.status)
    replies.set_enabled(site, request.form.get("reply_mail") == "on")
    flash("Privacy settings saved.", "info")
    return redirect(url_for("privacy_dashboard.privacy", slug=site.slug))


@bp.post("/<slug>/privacy")
@login_required
def privacy_export(slug: str):
    site = member_site(slug, owner=True)
    try:
        document = services.personal_data(request.form.get("email", ""), site)
    except ApiError as error:
        return _page(site, error, error.status)
    body = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True)
    filename = f"talkback-{site.slug}-personal-data.json"
    return Response(
        body.encode("utf-8"),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
