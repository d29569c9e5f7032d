"""Security by default, checked across the whole URL map rather than route by route."""

from __future__ import annotations

import pytest

from service import create_app
from service.accounts.models import Role
from service.extensions import csrf
from tests.moderator_forms import signed_in

# JSON APIs that read no cookie (bearer tokens or nothing), so CSRF has nothing to forge;
# and the RFC 8058 one-click unsubscribe, which mail clients POST with only its signed URL.
CSRF_EXEMPT_BLUEPRINTS = {"comments_api", "moderation_api", "shares", "reply_unsubscribe"}
# The no-JS comment form readers reach from any blog, where they have no session with us:
# it takes the signed form token instead of the session's CSRF token.
FORM_TOKEN_VIEWS = {"service.widget.views.post_from_thread_page"}


def html_post_routes() -> list[tuple[str, str]]:
    app = create_app({"TALKBACK_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint.split(".")[0] not in CSRF_EXEMPT_BLUEPRINTS
    )


def test_only_the_json_api_blueprints_are_exempt_from_csrf(app):
    # Flask-WTF keeps exempt blueprints (objects) in a private set; no public accessor.
    assert {blueprint.name for blueprint in csrf._exempt_blueprints} == CSRF_EXEMPT_BLUEPRINTS
    assert csrf._exempt_views == FORM_TOKEN_VIEWS


@pytest.mark.parametrize(("route", "endpoint"), html_post_routes())
def test_every_html_form_post_needs_a_csrf_token(app, site, make_site, route, endpoint):
    make_site("demo")
    client = signed_in(app, site, "owner@example.org", Role.OWNER)
    path = route
    for placeholder, value in (
        ("<slug>", "blog"),
        ("<token>", "x"),
        ("<action>", "approve"),
        ("<site>", "blog"),
        ("<thread_id>", "1"),
        ("<network>", "x"),
    ):
        path = path.replace(placeholder, value)
    path = path.split("<")[0] + "1" + path.split(">", 1)[1] if "<" in path else path
    response = client.post(path, data={"text": "hello", "email": "owner@example.org"})
    assert response.status_code == 400, f"{endpoint}: {response.status_code}"
    body = response.get_data(as_text=True)
    if endpoint == "widget.post_from_thread_page":
        assert "invalid_form_token" in body, body
        return
    assert "CSRF" in body or 'data-code="csrf_failed"' in body, endpoint


@pytest.mark.parametrize(
    "path",
    [
        "/embed.js",
        "/t/blog?uri=/post",
        "/api/v1/sites/blog/threads?uri=/post",
        "/api/v1/sites/blog/counts?uri=/post",
        "/api/v1/sites/blog/form-token",
        "/api/v1/sites/blog/shares?url=https://blog.example/post",
        "/demo/embedded",
        "/demo/posts",
    ],
)
def test_widget_and_public_api_set_no_cookie(client, site, make_site, path):
    make_site("demo", origins=["https://blog.example"])
    response = client.get(path)
    assert response.status_code < 400, response.get_data(as_text=True)
    assert response.headers.getlist("Set-Cookie") == []


def test_posting_a_comment_sets_no_cookie(client, site):
    response = client.post("/api/v1/sites/blog/comments", json={"uri": "/post", "text": "Hi"})
    assert response.status_code == 202
    assert response.headers.getlist("Set-Cookie") == []


def test_no_js_thread_page_links_only_http_websites(client, site, make_comment):
    """The API only stores http(s) websites; the page must not trust storage to stay so."""
    make_comment(site, "Old import.", status="approved", website="javascript:alert(1)")
    make_comment(site, "Fine.", status="approved", website="https://ann.example")
    page = client.get("/t/blog?uri=/post").get_data(as_text=True)
    assert 'href="https://ann.example"' in page
    assert "javascript:" not in page


def test_reset_link_is_built_from_the_public_url_not_the_host_header(app, site, monkeypatch):
    """Also under a sub-path: the proxy's SCRIPT_NAME must not be added twice."""
    from tests.moderator_forms import CSRF_RE, dashboard_moderator

    sent = []
    monkeypatch.setattr("service.accounts.views.send_mail_soon", lambda *args: sent.append(args))
    app.config["PUBLIC_URL"] = "https://talk.example/comments"
    dashboard_moderator(site, "owner@example.org", Role.OWNER)
    client = app.test_client()
    # Mounted at /comments behind a proxy, and asked with a forged Host header.
    mounted = "http://evil.example/comments"
    login_page = client.get("/moderate/login", base_url=mounted).get_data(as_text=True)
    response = client.post(
        "/moderate/password/forgot",
        data={"email": "owner@example.org", "csrf_token": CSRF_RE.search(login_page).group(1)},
        base_url=mounted,
    )
    assert response.status_code == 302
    ((to, _subject, text),) = sent
    assert to == "owner@example.org"
    assert "https://talk.example/comments/moderate/password/reset/" in text
    assert "evil.example" not in text and "/comments/comments/" not in text


def test_stored_markup_in_every_reader_field_is_escaped_on_every_page(app, client, site):
    """Author, title, uri, website and text, posted by a reader, shown to readers and mods."""
    from tests.moderator_forms import signed_in

    mark = "<img src=x onerror=alert(1)>"
    response = client.post(
        "/api/v1/sites/blog/comments",
        json={
            "uri": f"/post?{mark}",
            "title": f"Title {mark}",
            "author": f"Ann {mark}",
            "website": 'https://ann.example/"onmouseover=alert(3)',
            "text": f"Text {mark} <script>alert(2)</script>",
        },
    )
    assert response.status_code == 202, response.get_json()
    comment_id = response.get_json()["id"]
    owner = signed_in(app, site, "owner@example.org", Role.OWNER)
    assert (
        owner.post(  # approve through the API so every page shows it
            f"/api/v1/comments/{comment_id}/approve",
            headers={"Authorization": f"Bearer {_owner_token(site)}"},
        ).status_code
        == 200
    )
    pages = [
        client.get("/t/blog", query_string={"uri": f"/post?{mark}"}),
        owner.get("/moderate/queue?status=approved"),
        owner.get(f"/moderate/comments/{comment_id}/edit"),
        owner.get("/moderate/audit"),
    ]
    for page in pages:
        body = page.get_data(as_text=True)
        assert page.status_code == 200, page.request.path
        assert "Ann" in body, page.request.path
        assert mark not in body and "<script>alert(2)" not in body, page.request.path
        assert '"onmouseover' not in body, page.request.path


def _owner_token(site) -> str:
    from service.accounts import services as accounts

    moderator = accounts.get_or_create_moderator("api-owner@example.org")
    accounts.grant_role(moderator, site, Role.OWNER)
    return accounts.issue_api_token(moderator)
