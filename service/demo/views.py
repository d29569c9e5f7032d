"""The demo blog post, with a server-rendered comment list and a plain HTML form."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for

from service.accounts.services import get_site
from service.comments import services
from service.comments.form_token import issue_form_token
from service.comments.schemas import parse_new_comment
from service.demo.post import demo_post
from service.extensions import limiter
from service.http import limits
from service.http.errors import ApiError, NotFound
from service.http.urls import base_url
from service.mail import external_url
from service.replies import services as replies
from service.shares.services import menu_for_page
from service.widget.services import site_threads

bp = Blueprint("demo", __name__)

DEMO_SITE = "demo"
DEMO_URI = "/demo"
# The data-talkback-* options /demo/embedded lets visitors try, with their legal values.
WIDGET_OPTIONS = {"theme": ("auto", "dark", "light", "system"), "lang": ("en", "de", "fr", "ar")}
# What a careful blog might send: nothing inline, nothing from anywhere but this service.
EMBED_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _render(
    error: ApiError | None = None,
    form: dict | None = None,
    status: int = 200,
    *,
    fallback_form: bool = True,
    widget_options: dict[str, str] | None = None,
):
    site = get_site(DEMO_SITE)
    thread = services.published_thread(site, DEMO_URI, limit=200)
    pending = None
    own = session.get("own_comment")
    if own:
        try:
            pending = services.comment_for_author(own["id"], own["token"])
        except ApiError:
            session.pop("own_comment", None)
    page = render_template(
        "demo/post.html",
        post=demo_post(),
        site=site,
        thread=thread,
        pending=pending,
        error=error,
        form=form or {},
        form_token=issue_form_token(site.slug),
        share=menu_for_page(site, DEMO_URI, demo_post().title, base_url()),
        # TALKBACK_PUBLIC_URL when set: a forged Host header must not reach these links.
        canonical_url=external_url("demo.demo_page"),
        og_image_url=external_url("static", filename="og/demo-post.png"),
        fallback_form=fallback_form,
        widget_options=widget_options,
        reply_notifications=replies.enabled(site),
    )
    # The page carries this visitor's CSRF token and pending comment: never a shared cache's.
    return page, status, {"Cache-Control": "private, no-store"}


@bp.get("/demo")
def demo_page():
    try:
        return _render()
    except NotFound:
        return "The demo site is not set up yet: run `flask demo seed`.", 404


@bp.get("/demo/embedded")
def demo_embedded():
    """The post as a third-party blog would embed it: the widget only, no plain form.

    `?theme=dark&lang=ar` passes the widget's data-talkback-* options, to try them out.

    Without the form there is no CSRF token, so no session and no cookie at all, and the
    strict Content-Security-Policy shows the widget needs no inline script or style.
    """
    options = {
        key: request.args[key]
        for key, allowed in WIDGET_OPTIONS.items()
        if request.args.get(key, "") in allowed
    }
    page, status, headers = _render(fallback_form=False, widget_options=options)
    return page, status, {**headers, "Content-Security-Policy": EMBED_CSP}


@bp.get("/demo/posts")
def demo_listing():
    """A blog's index page: one comment count per post, filled by embed.js in one request."""
    site = get_site(DEMO_SITE)
    page = render_template(
        "widget/listing.html", site=site, post=demo_post(), threads=site_threads(site)
    )
    return page, 200, {"Content-Security-Policy": EMBED_CSP}


@bp.post("/demo/comments")
@limiter.limit(limits.configured("COMMENT_RATE_LIMIT"))
def demo_post_comment():
    site = get_site(DEMO_SITE)
    form = request.form.to_dict()
    data = {
        **form,
        "uri": DEMO_URI,
        "parent_id": form.get("parent_id") or None,
        # An HTML checkbox sends "on" when ticked and nothing otherwise.
        "notify_replies": form.get("notify_replies") == "on",
    }
    try:
        new = parse_new_comment(data, 10_000)
        submitted = services.submit_comment(
            site,
            new,
            remote_addr=request.remote_addr,
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ApiError as error:
        return _render(error=error, form=form, status=error.status)
    if new.notify_replies:
        replies.subscribe(submitted.row())
    session["own_comment"] = {"id": submitted.id, "token": submitted.edit_token}
    return redirect(url_for("demo.demo_page", _anchor="your-comment"), code=303)
