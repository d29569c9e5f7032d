"""The pages behind the links in reader mails: confirm reply notifications, unsubscribe.

Opening a link never changes anything (mail scanners open links too); the page's button
does. The one exception is RFC 8058: a mail client's `List-Unsubscribe=One-Click` POST to
the unsubscribe URL acts at once, authorised by the signed token alone, so that POST lives
in its own blueprint, `reply_unsubscribe`, exempt from CSRF (it reads no session or cookie,
so there is nothing to forge). The unsubscribe page's button posts there too.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from service.accounts.passwords import LinkError
from service.replies import services as replies

bp = Blueprint("replies", __name__, url_prefix="/replies")
one_click = Blueprint("reply_unsubscribe", __name__, url_prefix="/replies")

LINK_PROBLEMS = {
    "expired": (410, "This confirmation link has expired. Comment again to get a new one."),
    "invalid": (400, "This link is damaged, or the subscription no longer exists."),
}


@bp.after_request
@one_click.after_request
def _private_page(response):
    # The token in the address bar is a credential: no Referer, no caching.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(LinkError)
@one_click.errorhandler(LinkError)
def link_refused(error: LinkError):
    status, message = LINK_PROBLEMS.get(error.reason, LINK_PROBLEMS["invalid"])
    return render_template(
        "replies/page.html", title="This link cannot be used", message=message
    ), status


@bp.get("/confirm/<token>")
def confirm(token: str):
    subscription = replies.subscription_to_confirm(token)
    return render_template("replies/confirm.html", subscription=subscription, token=token)


@bp.post("/confirm/<token>")
def confirm_post(token: str):
    replies.confirm(token)
    return render_template(
        "replies/page.html",
        title="Reply notifications are on",
        message="We will e-mail you when your comment gets a published reply. "
        "Every such e-mail has a link to stop them.",
    )


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str):
    subscription = replies.read_unsubscribe_token(token)
    return render_template("replies/unsubscribe.html", subscription=subscription, token=token)


@one_click.post("/unsubscribe/<token>")
def unsubscribe_post(token: str):
    replies.unsubscribe(token)
    return render_template(
        "replies/page.html",
        title="Unsubscribed",
        message="You will get no more reply notifications for this comment.",
    )
