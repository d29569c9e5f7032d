"""The demo blog post, with a server-rendered comment list and a plain HTML form."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for

from service.accounts.services import get_site
from service.comments import services
from service.comments.form_token import issue_form_token
from service.comments.schemas import parse_new_comment
from service.demo.post import demo_post
from service.errors import ApiError, NotFound
from service.extensions import limiter
from service.shares.services import menu_for_page

bp = Blueprint("demo", __name__)

DEMO_SITE = "demo"
DEMO_URI = "/demo"


def _render(error: ApiError | None = None, form: dict | None = None, status: int = 200):
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
        share=menu_for_page(site, DEMO_URI, demo_post().title, request.url_root),
    )
    return page, status


@bp.get("/demo")
def demo_page():
    try:
        return _render()
    except NotFound:
        return "The demo site is not set up yet: run `flask demo seed`.", 404


@bp.post("/demo/comments")
@limiter.limit("20 per minute")
def demo_post_comment():
    site = get_site(DEMO_SITE)
    form = request.form.to_dict()
    data = {**form, "uri": DEMO_URI, "parent_id": form.get("parent_id") or None}
    try:
        new = parse_new_comment(data, 10_000)
        comment, token = services.submit_comment(
            site,
            new,
            remote_addr=request.remote_addr,
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ApiError as error:
        return _render(error=error, form=form, status=error.status)
    session["own_comment"] = {"id": comment.id, "token": token}
    return redirect(url_for("demo.demo_page", _anchor="your-comment"), code=303)
