"""The moderation dashboard under /moderate: queue, actions, undo, audit log, site settings.

Server-rendered forms that work without JavaScript; static/dashboard.js only adds keyboard
shortcuts and select-all. Every POST carries a CSRF token (CSRFProtect is app-wide).
"""

from __future__ import annotations

from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from service.accounts import members, passwords
from service.accounts import settings as site_settings
from service.accounts.auth import current_moderator, login_required, member_site, safe_next
from service.accounts.models import Role, Site
from service.accounts.services import sites_for
from service.comments.models import Status
from service.http.errors import ValidationError
from service.http.validation import id_or_none
from service.moderation import actions, rulebook, trusted
from service.moderation import audit as audit_log
from service.moderation import queue as moderation_queue
from service.moderation.rules import RuleKind
from service.shares.services import MAX_STATS_DAYS, share_stats

bp = Blueprint("dashboard", __name__, url_prefix="/moderate")

UNDO_KEY = "undo"
# No inline script or style anywhere in the dashboard, so the policy can be this strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


@bp.after_request
def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.app_template_global()
def moderation_nav() -> dict:
    moderator = current_moderator()
    if moderator is None:
        return {"moderator": None, "owned_sites": [], "can_undo": False}
    return {
        "moderator": moderator,
        "owned_sites": sites_for(moderator, (Role.OWNER,)),
        "can_undo": bool(session.get(UNDO_KEY)),
        # The notifications feature is a separate blueprint; link it when it is installed.
        "notifications_url": url_for("notifications.preferences")
        if "notifications.preferences" in current_app.view_functions
        else None,
    }


def _site_ids() -> set[int]:
    return {site.id for site in sites_for(current_moderator())}


def _owned_site(slug: str) -> Site:
    """A site the current moderator owns: 404 if they are not on it, 403 if not an owner."""
    return member_site(slug, owner=True)


def _back():
    """Back to the page the form came from (a same-site path), or the queue."""
    return redirect(safe_next(request.form.get("next")))


def _remember_undo(result: actions.ActionResult) -> None:
    entry = result.undo_entry()
    if entry is not None:
        session[UNDO_KEY] = actions.push_undo(session.get(UNDO_KEY), entry)


def _report(result: actions.ActionResult) -> None:
    label = actions.ACTIONS[result.action].label if result.action in actions.ACTIONS else "Undo"
    changed = len(result.changed)
    message = f"{label}: {changed} {'comment' if changed == 1 else 'comments'}"
    if result.skipped:
        message += f", {result.skipped} skipped (already moved or not allowed)"
    flash(message + ".", "info")


@bp.get("/")
@login_required
def index():
    return redirect(url_for("dashboard.queue"))


@bp.get("/queue")
@login_required
def queue():
    sites = sites_for(current_moderator())
    try:
        filters = moderation_queue.parse_queue_filters(request.args, sites)
        after = moderation_queue.Cursor.decode(request.args.get("after"))
    except ValidationError as error:
        flash(error.message, "error")
        return render_template("moderation/queue.html", sites=sites, page=None, query={}), 422
    page = moderation_queue.queue_page(filters, after) if filters.site_ids else None
    return render_template(
        "moderation/queue.html",
        sites=sites,
        filters=filters,
        page=page,
        query=moderation_queue.filters_query(filters, sites),
        actions_for=actions.actions_for,
        actions=actions.ACTIONS,
        first_page=after is None,
    )


@bp.post("/comments/<id:comment_id>/<action>")
@login_required
def act(comment_id: int, action: str):
    if action not in actions.ACTIONS:
        abort(404)
    site_ids = _site_ids()
    if actions.comment_for_moderator(comment_id, site_ids) is None:
        abort(404)
    result = actions.apply_action(
        current_moderator(), action, [comment_id], site_ids, request.form.get("reason", "")[:500]
    )
    _remember_undo(result)
    _report(result)
    return _back()


@bp.post("/bulk")
@login_required
def bulk():
    moderator = current_moderator()
    site_ids = _site_ids()
    action = request.form.get("action", "")
    if action not in actions.ACTIONS:
        flash("Choose an action for the selected comments.", "error")
        return _back()
    if request.form.get("scope") == "all":
        try:
            filters = moderation_queue.parse_queue_filters(request.form, sites_for(moderator))
        except ValidationError as error:
            flash(error.message, "error")
            return _back()
        ids = moderation_queue.matching_ids(filters)
    else:
        ids = [id_or_none(raw) for raw in request.form.getlist("ids")]
        ids = [comment_id for comment_id in ids if comment_id][: moderation_queue.BULK_MAX]
    if not ids:
        flash("No comments were selected.", "error")
        return _back()
    result = actions.apply_action(moderator, action, ids, site_ids, request.form.get("reason", ""))
    _remember_undo(result)
    if result.changed and result.undo_entry() is None and action != "delete":
        flash(f"More than {actions.UNDO_MAX_COMMENTS} comments: this one cannot be undone.", "info")
    _report(result)
    return _back()


@bp.post("/undo")
@login_required
def undo():
    stack = list(session.get(UNDO_KEY) or [])
    if not stack:
        flash("Nothing to undo.", "info")
        return _back()
    entry = stack.pop()
    session[UNDO_KEY] = stack
    _report(actions.undo(current_moderator(), entry, _site_ids()))
    return _back()


@bp.route("/comments/<id:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = actions.comment_for_moderator(comment_id, _site_ids())
    if comment is None or comment.status == Status.DELETED:
        abort(404)
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template(
            "moderation/edit.html", comment=comment, text=comment.text, next=next_url
        )
    text = request.form.get("text", "")
    try:
        actions.edit_comment(
            comment, text, current_moderator(), current_app.config["MAX_COMMENT_CHARS"]
        )
    except ValidationError as error:
        flash(error.message, "error")
        return render_template(
            "moderation/edit.html", comment=comment, text=text, next=next_url
        ), 422
    flash("The comment is updated.", "info")
    return redirect(next_url)


@bp.get("/audit")
@login_required
def audit():
    sites = sites_for(current_moderator())
    # Only the filters: any other key would reach url_for() (`_external`, `_method`…).
    query = {key: request.args[key] for key in audit_log.AUDIT_FILTERS if request.args.get(key)}
    page = partial(render_template, "moderation/audit.html", sites=sites, query=query)
    try:
        filters = audit_log.parse_audit_filters(request.args, sites)
    except ValidationError as error:
        flash(error.message, "error")
        return page(events=[], next_before=None, statuses=Status.ALL), 422
    before = id_or_none(request.args.get("before"))
    events, next_before = audit_log.audit_page(filters, before) if filters.site_ids else ([], None)
    return page(events=events, next_before=next_before, statuses=Status.ALL)


@bp.get("/shares")
@login_required
def shares():
    """Share clicks per post and network for one of the moderator's sites."""
    sites = sites_for(current_moderator())
    slug = request.args.get("site") or (sites[0].slug if sites else "")
    site = next((candidate for candidate in sites if candidate.slug == slug), None)
    if sites and site is None:
        abort(404)
    days = min(id_or_none(request.args.get("days")) or 30, MAX_STATS_DAYS)
    stats = share_stats(site, days) if site else {"networks": {}}
    # Busiest network first; ties alphabetically, so the columns do not jump between loads.
    networks = sorted(stats["networks"].items(), key=lambda item: (-item[1], item[0]))
    return render_template(
        "moderation/shares.html",
        sites=sites,
        site=site,
        stats=stats,
        networks=networks,
        days=days,
    )


@bp.route("/sites/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    site = _owned_site(slug)
    if request.method == "POST":
        try:
            site_settings.update_site_settings(site, request.form)
        except ValidationError as error:
            flash(error.message, "error")
            return render_template(
                "moderation/settings.html",
                site=site,
                form=request.form,
                members=members.site_members(site),
            ), 422
        flash("Settings saved.", "info")
        return redirect(url_for("dashboard.settings", slug=site.slug))
    return render_template(
        "moderation/settings.html", site=site, form=None, members=members.site_members(site)
    )


# --- rules and trusted authors (site owners) -------------------------------------------------


def _render_rules(site: Site, *, form=None, result=None, status: int = 200):
    page = render_template(
        "moderation/rules.html",
        site=site,
        rules=rulebook.site_rules(site),
        authors=trusted.trusted_authors(site),
        form=form or {},
        result=result,
        kinds=RuleKind.ALL,
        window=rulebook.DRY_RUN_WINDOW,
    )
    return page, status


@bp.get("/sites/<slug>/rules")
@login_required
def rules(slug: str):
    return _render_rules(_owned_site(slug))


@bp.post("/sites/<slug>/rules/dry-run")
@login_required
def dry_run_rule(slug: str):
    site = _owned_site(slug)
    try:
        rule = rulebook.parse_rule(request.form)
    except ValidationError as error:
        flash(error.message, "error")
        return _render_rules(site, form=request.form, status=422)
    return _render_rules(site, form=request.form, result=(rule, rulebook.dry_run(site, rule)))


@bp.post("/sites/<slug>/rules")
@login_required
def add_rule(slug: str):
    site = _owned_site(slug)
    try:
        rule = rulebook.save_rule(site, rulebook.parse_rule(request.form), current_moderator())
    except ValidationError as error:
        flash(error.message, "error")
        return _render_rules(site, form=request.form, status=422)
    flash(f"Saved: {rule.action} {rule.kind} {rule.pattern!r}.", "info")
    return redirect(url_for("dashboard.rules", slug=site.slug))


@bp.post("/sites/<slug>/rules/<id:rule_id>/delete")
@login_required
def delete_rule(slug: str, rule_id: int):
    site = _owned_site(slug)
    if not rulebook.delete_rule(site, rule_id):
        abort(404)
    flash("The rule is deleted.", "info")
    return redirect(url_for("dashboard.rules", slug=site.slug))


@bp.post("/sites/<slug>/trusted")
@login_required
def add_trusted(slug: str):
    site = _owned_site(slug)
    try:
        author = trusted.add_trusted_author(
            site, request.form.get("email", ""), request.form.get("name", ""), current_moderator()
        )
    except ValidationError as error:
        flash(error.message, "error")
        return _render_rules(site, status=422)
    if author.verified_at is None:
        trusted.send_verification_mail(author, site)
        flash(f"A confirmation link was sent to {author.email}.", "info")
    return redirect(url_for("dashboard.rules", slug=site.slug))


@bp.post("/sites/<slug>/trusted/<id:author_id>/remove")
@login_required
def remove_trusted(slug: str, author_id: int):
    site = _owned_site(slug)
    if not trusted.remove_trusted_author(site, author_id):
        abort(404)
    flash("The address is no longer trusted.", "info")
    return redirect(url_for("dashboard.rules", slug=site.slug))


@bp.route("/trusted/confirm/<token>", methods=["GET", "POST"])
def confirm_trusted(token: str):
    """Opened by the commenter, not a moderator: GET only asks, the POST confirms."""
    try:
        author = (trusted.verify if request.method == "POST" else trusted.author_for_token)(token)
    except passwords.LinkError as error:
        return render_template("moderation/trusted_confirm.html", error=error.reason), 400
    done = request.method == "POST"
    return render_template("moderation/trusted_confirm.html", author=author, token=token, done=done)


@bp.post("/sites/<slug>/members")
@login_required
def add_member(slug: str):
    site = _owned_site(slug)
    try:
        membership, moderator = members.add_member(
            site, request.form.get("email", ""), request.form.get("role", Role.MODERATOR)
        )
    except ValidationError as error:
        flash(error.message, "error")
        return redirect(url_for("dashboard.settings", slug=site.slug))
    members.invite_if_new(moderator, site)
    flash(f"{moderator.email} is now {membership.role} of {site.name}.", "info")
    return redirect(url_for("dashboard.settings", slug=site.slug))


@bp.post("/sites/<slug>/members/<id:membership_id>/remove")
@login_required
def remove_member(slug: str, membership_id: int):
    site = _owned_site(slug)
    try:
        removed = members.remove_member(site, membership_id)
    except ValidationError as error:
        flash(error.message, "error")
        return redirect(url_for("dashboard.settings", slug=site.slug))
    if not removed:
        abort(404)
    flash("The moderator no longer has access to this site.", "info")
    return redirect(url_for("dashboard.settings", slug=site.slug))
