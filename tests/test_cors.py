"""CORS on the public comment API: only the site's own origins, exactly; never credentials."""

import pytest
from sqlalchemy import update

from service.accounts.models import Site
from service.accounts.origins import add_origin, remove_origin
from service.comments import page_front
from service.extensions import db
from service.http.hosts import normalise_origin
from service.widget import cors

BLOG = "https://blog.example"


@pytest.fixture
def comment_id(client, site):
    body = client.post("/api/v1/sites/blog/comments", json={"uri": "/post", "text": "hi"})
    return body.get_json()["id"]


def test_a_listed_origin_may_read_a_thread(client, site):
    response = client.get("/api/v1/sites/blog/threads?uri=/post", headers={"Origin": BLOG})
    assert response.headers["Access-Control-Allow-Origin"] == BLOG
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://blog.example",  # another scheme is another origin
        "https://blog.example:8443",  # and so is another port
        "https://blog.example.evil.example",
        "https://sub.blog.example",
        "null",
        "https://BLOG.example",  # browsers send lower case; anything else is not exact
    ],
)
def test_any_other_origin_is_refused_with_a_readable_reason_and_no_data(client, site, origin):
    response = client.get("/api/v1/sites/blog/threads?uri=/post", headers={"Origin": origin})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "origin_not_allowed"
    assert "comments" not in response.get_json()
    # Only the refusal is readable there, so the widget can say why; never credentials.
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_origins_are_per_site(client, site, make_site):
    make_site("other", origins=["https://other.example"])
    response = client.get("/api/v1/sites/other/counts?uri=/a", headers={"Origin": BLOG})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "origin_not_allowed"


def test_a_preflight_for_posting_json_is_answered(client, site):
    response = client.options(
        "/api/v1/sites/blog/comments",
        headers={
            "Origin": BLOG,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == BLOG
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    methods = response.headers["Access-Control-Allow-Methods"]
    assert {"GET", "POST", "PATCH", "DELETE"} <= {m.strip() for m in methods.split(",")}


def test_a_preflight_from_a_stranger_gets_no_permission(client, site):
    response = client.options(
        "/api/v1/sites/blog/comments",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_an_authors_own_comment_uses_its_sites_origins(client, site, make_site, comment_id):
    make_site("other", origins=["https://other.example"])
    preflight = {"Access-Control-Request-Method": "PATCH"}
    ok = client.options(f"/api/v1/comments/{comment_id}", headers={"Origin": BLOG, **preflight})
    assert ok.headers["Access-Control-Allow-Origin"] == BLOG
    stranger = client.options(
        f"/api/v1/comments/{comment_id}", headers={"Origin": "https://other.example", **preflight}
    )
    assert "Access-Control-Allow-Origin" not in stranger.headers


def thread_status(client, origin: str) -> int:
    return client.get(
        "/api/v1/sites/blog/threads?uri=/post", headers={"Origin": origin}
    ).status_code


def test_an_origin_removed_in_this_process_is_refused_at_once(client, site, app):
    app.config["ORIGINS_CACHE_SECONDS"] = 3600
    assert thread_status(client, BLOG) == 200  # the site's origins are kept now
    remove_origin(site, BLOG)
    assert thread_status(client, BLOG) == 403
    add_origin(site, BLOG)
    assert thread_status(client, BLOG) == 200


def test_an_origin_removed_by_another_process_is_refused_within_the_cache_time(
    client, site, app, monkeypatch
):
    app.config["ORIGINS_CACHE_SECONDS"] = 1.0
    now = [1000.0]
    monkeypatch.setattr(cors, "monotonic", lambda: now[0])
    monkeypatch.setattr(page_front, "monotonic", lambda: now[0])  # its copy of the answer
    assert thread_status(client, BLOG) == 200
    # Another process's change: nothing in this one's session says the site changed.
    db.session.execute(update(Site).where(Site.id == site.id).values(allowed_origins=[]))
    db.session.commit()
    now[0] += 0.9
    assert thread_status(client, BLOG) == 200  # kept a moment, as cached pages are
    now[0] += 0.2
    assert thread_status(client, BLOG) == 403


def test_errors_carry_cors_headers_so_the_widget_can_read_them(client, site):
    response = client.post(
        "/api/v1/sites/blog/comments", json={"uri": "/post"}, headers={"Origin": BLOG}
    )
    assert response.status_code == 422
    assert response.headers["Access-Control-Allow-Origin"] == BLOG


def test_preview_accepts_any_origin_some_site_allows(client, site):
    response = client.post("/api/v1/preview", json={"text": "*hi*"}, headers={"Origin": BLOG})
    assert response.headers["Access-Control-Allow-Origin"] == BLOG
    response = client.post(
        "/api/v1/preview", json={"text": "*hi*"}, headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_moderator_api_never_answers_cross_origin(client, site, make_moderator, comment_id):
    _, token = make_moderator(site)
    response = client.post(
        f"/api/v1/comments/{comment_id}/approve",
        headers={"Origin": BLOG, "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_huge_comment_id_in_the_url_is_not_a_server_error(client, site):
    response = client.get("/api/v1/comments/99999999999999999999?token=x", headers={"Origin": BLOG})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("https://Blog.Example/", "https://blog.example"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("https://blog.example/path", None),
        ("ftp://blog.example", None),
        ("blog.example", None),
        ("https://user@blog.example", None),
        ("https://blog.example:99999", None),
    ],
)
def test_configured_origins_are_normalised_or_ignored(configured, expected):
    assert normalise_origin(configured) == expected


def test_an_international_origin_matches_the_punycode_browsers_send():
    from service.http.hosts import normalise_origin

    assert normalise_origin("https://Bücher.example/") == "https://xn--bcher-kva.example"
    assert normalise_origin("https://xn--bcher-kva.example") == "https://xn--bcher-kva.example"
