"""Notification pages under /moderate: the approve/reject links from e-mails, and each
moderator's notification preferences (plus a site owner's webhook).

For the e-mailed links, GET only shows what would happen; the POST from that page (with its
CSRF token) acts. A link that cannot be used renders a page saying why, with a 4xx status.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.routing import BuildError

from service.accounts.auth import current_moderator, login_required, member_site, safe_next
from service.accounts.models import Role, Site
from service.accounts.services import role_on, sites_for
from service.http.errors import ValidationError
from service.notifications import action_links, webhooks
from service.notifications import services as notifications
from service.notifications.action_links import ActionLinkError

bp = Blueprint("notifications", __name__, url_prefix="/moderate")


@bp.after_request
def _private_page(response):
    # The link in the address bar is a credential: keep it out of Referer headers (the
    # comment shown may contain links) and out of caches.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def _queue_url() -> str | None:
    # The dashboard is a separate blueprint; link to it when this deployment has it.
    try:
        return url_for("dashboard.queue")
    except BuildError:
        return None


def _refused(error: ActionLinkError):
    page = render_template(
        "notifications/action_link_error.html", error=error, queue_url=_queue_url()
    )
    return page, error.status


@bp.errorhandler(ActionLinkError)
def link_refused(error: ActionLinkError):
    return _refused(error)


@bp.errorhandler(CSRFError)
def form_refused(error: CSRFError):
    return _refused(
        ActionLinkError(
            "The form was missing its security token or was not sent from this site's page. "
            "Open the page again (for an e-mailed link: click it again) and press the button.",
            code="csrf_failed",
            status=400,
            title="Nothing was changed",
        )
    )


# --- e-mailed approve/reject links ----------------------------------------------------------


@bp.get("/email-action/<token>")
def confirm(token: str):
    pending = action_links.check_action_link(token)
    return render_template(
        "notifications/confirm_action.html", pending=pending, done=False, queue_url=_queue_url()
    )


@bp.post("/email-action/<token>")
def act(token: str):
    pending = action_links.act_on_link(token)
    return render_template(
        "notifications/confirm_action.html", pending=pending, done=True, queue_url=_queue_url()
    )


# --- preferences ----------------------------------------------------------------------------


@bp.app_template_global()
def notification_settings_for(site: Site) -> dict:
    """What the settings partial shows for the signed-in moderator on `site`."""
    moderator = current_moderator()
    is_owner = moderator is not None and role_on(moderator, site.id) == Role.OWNER
    config = webhooks.webhook_config(site) if is_owner else None
    return {
        "mode": notifications.notification_mode(moderator.id, site.id) if moderator else None,
        "is_owner": is_owner,
        "webhook_url": config[0] if config else "",
        "webhook_secret": config[1] if config else "",
    }


def _back():
    return redirect(safe_next(request.form.get("next") or url_for("notifications.preferences")))


@bp.get("/notifications")
@login_required
def preferences():
    return render_template("notifications/notifications.html", sites=sites_for(current_moderator()))


@bp.post("/notifications/<slug>/mode")
@login_required
def set_mode(slug: str):
    site = member_site(slug)
    try:
        notifications.set_notification_mode(current_moderator(), site, request.form.get("mode", ""))
    except ValidationError as error:
        flash(error.message, "error")
    else:
        flash(f"Notifications for {site.name} saved.", "info")
    return _back()


@bp.post("/notifications/<slug>/webhook")
@login_required
def set_webhook(slug: str):
    site = member_site(slug, owner=True)
    try:
        secret = webhooks.configure_webhook(
            site, request.form.get("webhook_url", ""), request.form.get("webhook_secret", "")
        )
    except ValidationError as error:
        flash(error.message, "error")
    else:
        flash(f"Webhook for {site.name} {'saved' if secret else 'removed'}.", "info")
    return _back()
