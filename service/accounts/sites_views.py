"""The dashboard's Sites page: each owned site's embed snippet, its allowed origins, the
origins refused in the last 24 hours ("add this origin?"), and a form for a new site.

Owners only. Plain forms with the app-wide CSRF token and the dashboard's security headers.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from service.accounts import onboarding, origins
from service.accounts import services as accounts
from service.accounts.auth import current_moderator, login_required, member_site
from service.accounts.models import Role
from service.http.errors import ApiError
from service.http.headers import dashboard_security_headers

bp = Blueprint("sites", __name__, url_prefix="/moderate/sites")
bp.after_request(dashboard_security_headers)


def _owned_sites() -> list:
    return accounts.sites_for(current_moderator(), (Role.OWNER,))


@bp.get("/")
@login_required
def index():
    owned = _owned_sites()
    if not owned:
        abort(403)
    base_url = onboarding.service_base_url(request.url_root)
    sites = [
        {
            "site": site,
            "snippet": onboarding.embed_snippet(site, base_url),
            "origins": origins.allowed_origins(site),
            "refused": origins.recent_refusals(site),
        }
        for site in owned
    ]
    return render_template("accounts/sites.html", sites=sites)


@bp.post("/")
@login_required
def create():
    """Any owner may add a site; they become its owner."""
    if not _owned_sites():
        abort(403)
    form = request.form
    try:
        site = onboarding.create_owned_site(
            form.get("slug", ""), form.get("name", ""), form.get("origin", ""), current_moderator()
        )
    except ApiError as error:
        flash(error.message, "error")
        return redirect(url_for("sites.index"))
    flash(f"Site {site.slug} is created: paste its snippet into your blog.", "info")
    return redirect(url_for("sites.index", _anchor=f"site-{site.slug}"))


@bp.post("/<slug>/origins")
@login_required
def add_origin(slug: str):
    return _change_origin(slug, origins.add_origin, "{} may now show comments.")


@bp.post("/<slug>/origins/remove")
@login_required
def remove_origin(slug: str):
    return _change_origin(slug, origins.remove_origin, "{} is no longer allowed.")


def _change_origin(slug: str, change, done: str):
    site = member_site(slug, owner=True)
    try:
        origin = change(site, request.form.get("origin", ""))
    except ApiError as error:
        flash(error.message, "error")
    else:
        flash(done.format(origin), "info")
    return redirect(url_for("sites.index", _anchor=f"site-{site.slug}"))
