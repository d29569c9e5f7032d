"""The pages behind the approve/reject links in notification e-mails.

GET only shows what would happen; the POST from that page (with its CSRF token) acts. A link
that cannot be used renders a page saying why, with a 4xx status, never a 500.
"""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.routing import BuildError

from service.moderation import notifications
from service.moderation.notifications import ActionLinkError

bp = Blueprint("notification_actions", __name__, url_prefix="/moderate/email-action")


def _queue_url() -> str | None:
    # The dashboard is a separate blueprint; link to it when this deployment has it.
    try:
        return url_for("dashboard.queue")
    except BuildError:
        return None


def _refused(error: ActionLinkError):
    page = render_template("moderation/action_link_error.html", error=error, queue_url=_queue_url())
    return page, error.status


@bp.errorhandler(ActionLinkError)
def link_refused(error: ActionLinkError):
    return _refused(error)


@bp.errorhandler(CSRFError)
def form_refused(error: CSRFError):
    return _refused(
        ActionLinkError(
            "The confirmation form was missing its security token or it was not sent from "
            "the confirmation page. Open the link from the e-mail again and press the button.",
            code="csrf_failed",
            status=400,
            title="Nothing was changed",
        )
    )


@bp.get("/<token>")
def confirm(token: str):
    pending = notifications.check_action_link(token)
    return render_template(
        "moderation/confirm_action.html", pending=pending, done=False, queue_url=_queue_url()
    )


@bp.post("/<token>")
def act(token: str):
    pending = notifications.act_on_link(token)
    return render_template(
        "moderation/confirm_action.html", pending=pending, done=True, queue_url=_queue_url()
    )
