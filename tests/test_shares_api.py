"""The share API, counted redirects (no open redirect), permalinks, QR codes and statistics."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from flask import render_template
from sqlalchemy import select

from service.comments.models import Status, Thread
from service.extensions import db
from service.shares import qr, services
from service.shares.models import ShareClick
from service.shares.targets import TARGETS


@pytest.fixture
def thread(site):
    row = Thread(site_id=site.id, uri="/posts/hello", title="Hello & welcome")
    db.session.add(row)
    db.session.commit()
    return row


def clicks(thread_id: int, network: str) -> int:
    row = db.session.scalar(
        select(ShareClick).where(ShareClick.thread_id == thread_id, ShareClick.network == network)
    )
    return row.count if row else 0


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


# --- GET /api/v1/sites/<site>/shares ---------------------------------------------------------


def test_share_api_returns_every_target_with_a_ready_link_and_a_counted_link(client, site):
    response = client.get(
        "/api/v1/sites/blog/shares",
        query_string={"url": "https://blog.example/posts/new?utm_source=x&id=3#c", "title": "New"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["url"] == "https://blog.example/posts/new?id=3"
    thread_id = body["thread"]["id"]
    assert db.session.get(Thread, thread_id).uri == "/posts/new"
    assert [t["id"] for t in body["targets"]] == [target.id for target in TARGETS]
    by_id = {t["id"]: t for t in body["targets"]}
    assert by_id["x"]["label"] == "Share on X"
    assert by_id["x"]["click_url"] == f"http://localhost/s/blog/{thread_id}/x"
    x_query = parse_qs(urlsplit(by_id["x"]["href"]).query)
    assert x_query == {"text": ["New"], "url": ["https://blog.example/posts/new?id=3"]}
    assert by_id["mastodon"]["instance_template"] == "https://{instance}/share?text={text}"
    assert by_id["mastodon"]["text"] == "New https://blog.example/posts/new?id=3"
    assert by_id["email"]["popup"] is None and by_id["sms"]["mobile_only"] is True
    assert body["permalink"] == f"http://localhost/p/{thread_id}"
    assert body["qr_svg"].endswith(f"/api/v1/sites/blog/threads/{thread_id}/qr.svg")
    assert {a["id"] for a in body["actions"]} == {"copy", "native"}


def test_share_api_uses_site_via_hashtags_utm_and_target_choice(client, site):
    site.settings = {
        "share_via": "@blog",
        "share_hashtags": "cats,dogs",
        "share_utm": True,
        "share_targets": ["x", "bluesky"],
    }
    db.session.commit()
    body = client.get(
        "/api/v1/sites/blog/shares", query_string={"url": "https://blog.example/a", "title": "T"}
    ).get_json()
    assert [t["id"] for t in body["targets"]] == ["x", "bluesky"]
    x_query = parse_qs(urlsplit(body["targets"][0]["href"]).query)
    assert x_query["via"] == ["blog"] and x_query["hashtags"] == ["cats,dogs"]
    assert x_query["url"] == [
        "https://blog.example/a?utm_source=x&utm_medium=social&utm_campaign=share"
    ]
    bluesky_text = parse_qs(urlsplit(body["targets"][1]["href"]).query)["text"][0]
    assert bluesky_text.startswith("T #cats #dogs https://blog.example/a?utm_source=bluesky")


def test_share_api_prefers_the_threads_canonical_url(client, site, thread):
    thread.canonical_url = "https://www.blog.example/2026/hello"
    db.session.commit()
    by_origin = client.get(
        "/api/v1/sites/blog/shares", query_string={"url": "https://blog.example/posts/hello"}
    ).get_json()
    assert by_origin["url"] == "https://www.blog.example/2026/hello"
    by_canonical = client.get(
        "/api/v1/sites/blog/shares", query_string={"url": "https://www.blog.example/2026/hello"}
    ).get_json()
    assert by_canonical["thread"]["id"] == thread.id


@pytest.mark.parametrize(
    "url, code",
    [
        (None, "missing_field"),
        ("", "missing_field"),
        ("https://evil.example/posts/hello", "url_not_on_site"),
        ("https://blog.example.evil.example/x", "url_not_on_site"),
        ("http://blog.example/x", "url_not_on_site"),  # other scheme, other origin
        ("javascript:alert(1)", "invalid_url"),
        ("data:text/html,hi", "invalid_url"),
        ("//blog.example/x", "invalid_url"),
        ("https://blog.example/a b", "invalid_url"),
        ("https://blog.example:99999/x", "invalid_url"),
        ("https://blog.example/x\r\nSet-Cookie: a=b", "invalid_url"),
    ],
)
def test_share_api_refuses_urls_that_are_not_this_sites_pages(client, site, url, code):
    query = {} if url is None else {"url": url}
    response = client.get("/api/v1/sites/blog/shares", query_string=query)
    assert response.status_code == 422
    assert error_code(response) == code


def test_share_api_validates_instance_and_title(client, site):
    url = "https://blog.example/a"
    bad = client.get("/api/v1/sites/blog/shares", query_string={"url": url, "instance": "a@b.c"})
    assert bad.status_code == 422 and error_code(bad) == "invalid_instance"
    long_title = client.get(
        "/api/v1/sites/blog/shares", query_string={"url": url, "title": "x" * 301}
    )
    assert long_title.status_code == 422 and error_code(long_title) == "too_long"
    good = client.get(
        "/api/v1/sites/blog/shares", query_string={"url": url, "instance": "Fosstodon.org"}
    ).get_json()
    mastodon = next(t for t in good["targets"] if t["id"] == "mastodon")
    assert mastodon["href"].startswith("https://fosstodon.org/share?text=")


def test_share_api_unknown_site_is_404(client):
    response = client.get("/api/v1/sites/nope/shares", query_string={"url": "https://a.example/"})
    assert response.status_code == 404 and error_code(response) == "unknown_site"


# --- /s/<site>/<thread>/<network> --------------------------------------------------------------


@pytest.mark.parametrize("network", [target.id for target in TARGETS])
def test_counted_link_counts_and_redirects_to_the_network(client, site, thread, network):
    response = client.get(f"/s/blog/{thread.id}/{network}")
    assert response.status_code == 302
    location = response.headers["Location"]
    target = next(t for t in TARGETS if t.id == network)
    expected_base = target.fallback_base or target.base
    assert location.startswith(expected_base + "?")
    assert "blog.example%2Fposts%2Fhello" in location
    assert response.headers["Cache-Control"] == "no-store"
    assert clicks(thread.id, network) == 1


def test_clicks_add_up_per_day_and_head_requests_do_not_count(client, site, thread):
    for _ in range(3):
        client.get(f"/s/blog/{thread.id}/x")
    assert client.head(f"/s/blog/{thread.id}/x").status_code == 200
    assert client.post(f"/s/blog/{thread.id}/mastodon").status_code == 204
    assert clicks(thread.id, "x") == 3
    assert clicks(thread.id, "mastodon") == 1
    rows = db.session.scalars(select(ShareClick)).all()
    assert {(row.network, row.count) for row in rows} == {("x", 3), ("mastodon", 1)}
    assert not hasattr(ShareClick, "ip") and not hasattr(ShareClick, "user_agent")


OPEN_REDIRECT_QUERIES = [
    "url=//evil.com",
    "url=https://evil.com",
    "next=https://evil.com",
    "redirect=https://evil.com",
    "redirect_uri=//evil.com",
    "return_to=https:evil.com",
    "u=/\\evil.com",
    "target=%2F%2Fevil.com",
    "to=javascript:alert(1)",
    "url=data:text/html;base64,PHNjcmlwdD4=",
    "url=https://evil.com%0d%0aLocation:%20https://evil.com",
    "instance=evil.com",
    "url=https://еvil.com",  # Cyrillic е
    "url=https://evil.com%E3%80%82com",  # ideographic full stop
    "text=%0d%0aSet-Cookie:%20a=b",
]


@pytest.mark.parametrize("query", OPEN_REDIRECT_QUERIES)
def test_query_string_can_never_choose_the_redirect_target(client, site, thread, query):
    response = client.get(f"/s/blog/{thread.id}/x?{query}")
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "x.com", "/intent/tweet")
    assert parse_qs(parts.query)["url"] == ["https://blog.example/posts/hello"]
    assert parse_qs(parts.query)["text"] == ["Hello & welcome"]
    assert "\r" not in location and "\n" not in location and "evil" not in location
    mastodon = client.get(f"/s/blog/{thread.id}/mastodon?{query}").headers["Location"]
    assert urlsplit(mastodon).netloc == "share.joinmastodon.org"


OPEN_REDIRECT_NETWORKS = [
    "evil.com",
    "%2F%2Fevil.com",
    "https:evil.com",
    "javascript:alert(1)",
    "data:text",
    "x%0d%0aLocation:%20https:%2F%2Fevil.com",
    "%E2%80%8Bx",  # zero-width space before x
    "Ｘ",  # fullwidth X
    "X",
    "pocket",
    "googleplus",
    "..",
]


@pytest.mark.parametrize("network", OPEN_REDIRECT_NETWORKS)
def test_unknown_networks_are_404_never_a_redirect(client, site, thread, network):
    response = client.get(f"/s/blog/{thread.id}/{network}")
    assert response.status_code == 404
    assert "Location" not in response.headers
    assert db.session.scalar(select(ShareClick)) is None


@pytest.mark.parametrize(
    "path",
    [
        "/s/blog/999/x",
        "/s/blog/0/x",
        "/s/blog/-1/x",
        "/s/blog/1.0/x",
        "/s/blog/abc/x",
        "/s/blog/99999999999999999999/x",
        "/s/nope/1/x",
        "/s//evil.com/1/x",
        "/s/%2F%2Fevil.com/1/x",
        "/s/blog/1/x/https:%2F%2Fevil.com",
        "/s/blog//evil.com/x",
    ],
)
def test_unknown_threads_and_sites_are_404_never_a_redirect(client, site, thread, path):
    assert thread.id == 1
    response = client.get(path)
    assert response.status_code == 404
    assert "Location" not in response.headers


def test_other_sites_threads_cannot_be_shared_through_this_site(client, site, make_site):
    other = make_site("other", origins=["https://other.example"])
    foreign = Thread(site_id=other.id, uri="/secret", title="Other")
    db.session.add(foreign)
    db.session.commit()
    response = client.get(f"/s/blog/{foreign.id}/x")
    assert response.status_code == 404 and error_code(response) == "unknown_thread"
    assert client.post(f"/s/blog/{foreign.id}/x").status_code == 404
    assert clicks(foreign.id, "x") == 0


def test_disabled_targets_are_not_redirected_to(client, site, thread):
    site.settings = {"share_targets": ["x"]}
    db.session.commit()
    assert client.get(f"/s/blog/{thread.id}/facebook").status_code == 404
    assert client.get(f"/s/blog/{thread.id}/x").status_code == 302


def test_site_without_public_address_gets_404_not_a_relative_redirect(client, make_site):
    bare = make_site("bare")
    row = Thread(site_id=bare.id, uri="/p", title="T")
    db.session.add(row)
    db.session.commit()
    response = client.get(f"/s/bare/{row.id}/x")
    assert response.status_code == 404 and error_code(response) == "no_page_url"


# --- permalinks and QR -------------------------------------------------------------------------


def test_short_permalink_redirects_to_the_post(client, site, thread):
    response = client.get(f"/p/{thread.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://blog.example/posts/hello"
    assert client.get("/p/999").status_code == 404
    assert client.get("/p/abc?next=https://evil.com").status_code == 404


def test_comment_permalink_points_at_the_comment_anchor(client, site, thread, make_comment):
    approved = make_comment(site, uri="/posts/hello", status=Status.APPROVED)
    pending = make_comment(site, uri="/posts/hello", status=Status.PENDING)
    elsewhere = make_comment(site, uri="/other", status=Status.APPROVED)
    response = client.get(f"/p/{thread.id}/{approved.id}")
    assert response.headers["Location"] == f"https://blog.example/posts/hello#comment-{approved.id}"
    assert client.get(f"/p/{thread.id}/{pending.id}").status_code == 404
    assert client.get(f"/p/{thread.id}/{elsewhere.id}").status_code == 404


def test_qr_code_is_a_cacheable_svg_of_the_post_url(client, site, thread):
    response = client.get(f"/api/v1/sites/blog/threads/{thread.id}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "max-age" in response.headers["Cache-Control"]
    root = ElementTree.fromstring(response.data)
    assert root.tag.endswith("svg") and root.find(".//{http://www.w3.org/2000/svg}path") is not None
    assert client.get("/api/v1/sites/blog/threads/999/qr.svg").status_code == 404


def test_qr_encodes_the_post_url():
    svg = qr.qr_svg("https://blog.example/a")
    longer = qr.qr_svg("https://blog.example/" + "a" * 200)
    assert svg.startswith(b"<?xml") and len(longer) > len(svg)


def test_the_menu_knows_an_address_fits_without_drawing_its_code():
    """qr_fits answers short addresses without qrcode: whatever mix of digits, capitals and
    other characters, an address of BYTE_CAPACITY bytes is drawn, one more byte is not."""
    mixes = ["https://blog.example/", "0123456789" * 3, "ABC-DEF/123" * 3, "ü", "a"]
    at_capacity = ""
    while len(at_capacity.encode()) < qr.BYTE_CAPACITY:
        at_capacity += mixes[len(at_capacity) % len(mixes)]
    at_capacity = at_capacity.encode()[: qr.BYTE_CAPACITY].decode("utf-8", "ignore")
    assert qr.qr_fits(at_capacity) and qr._fitted_qr(at_capacity) is not None
    just_over = "a" * (qr.BYTE_CAPACITY + 1)
    assert qr._fitted_qr(just_over) is None and not qr.qr_fits(just_over)


def test_an_address_too_long_for_a_qr_code_is_a_422_and_the_menu_leaves_the_code_out(
    app, client, site
):
    long_url = "https://blog.example/" + "€" * 1000
    body = client.get("/api/v1/sites/blog/shares", query_string={"url": long_url}).get_json()
    assert body["qr_svg"] is None
    response = client.get(f"/api/v1/sites/blog/threads/{body['thread']['id']}/qr.svg")
    assert response.status_code == 422
    assert error_code(response) == "url_too_long_for_qr"
    with app.test_request_context():
        menu = render_template("shares/menu.html", share=body)
    assert body["permalink"] in menu and "QR code" not in menu


# --- statistics --------------------------------------------------------------------------------


def test_moderators_see_share_counts_per_post_network_and_day(
    client, site, thread, make_moderator, make_site
):
    _, token = make_moderator(site)
    second = Thread(site_id=site.id, uri="/posts/two", title="Two")
    db.session.add(second)
    db.session.commit()
    services.record_click(site.id, thread.id, "x", date(2026, 11, 24))
    services.record_click(site.id, thread.id, "x", date(2026, 11, 25))
    services.record_click(site.id, thread.id, "x", date(2026, 11, 25))
    services.record_click(site.id, thread.id, "bluesky", date(2026, 11, 25))
    services.record_click(site.id, second.id, "email", date(2026, 11, 25))
    stats = services.share_stats(site, days=7, today=date(2026, 11, 25))
    assert stats["total"] == 5
    assert stats["networks"] == {"x": 3, "bluesky": 1, "email": 1}
    first = stats["threads"][0]
    assert first["thread"]["id"] == thread.id and first["total"] == 4
    assert first["networks"] == {"x": 3, "bluesky": 1}
    assert {"day": "2026-11-24", "network": "x", "count": 1} in first["days"]
    assert {"day": "2026-11-25", "network": "x", "count": 2} in first["days"]
    one_day = services.share_stats(site, days=1, today=date(2026, 11, 25))
    assert one_day["total"] == 4

    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/sites/blog/share-stats?days=30", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["site"] == "blog"


def test_share_stats_need_a_token_for_that_site(client, site, make_site, make_moderator):
    assert client.get("/api/v1/sites/blog/share-stats").status_code == 401
    other = make_site("other")
    _, token = make_moderator(other, email="other@example.org")
    response = client.get(
        "/api/v1/sites/blog/share-stats", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    _, own = make_moderator(site)
    bad_days = client.get(
        "/api/v1/sites/blog/share-stats?days=-3", headers={"Authorization": f"Bearer {own}"}
    )
    assert bad_days.status_code == 422


def test_the_first_visitors_title_is_not_what_every_counted_share_says(client, site):
    page = "https://blog.example/2026/launch"
    # Someone asks first, with words of their own: they become the thread's stored title.
    client.get("/api/v1/sites/blog/shares", query_string={"url": page, "title": "Send BTC"})
    # A reader's menu carries the page's real title; its counted link must say that.
    menu = client.get(
        "/api/v1/sites/blog/shares", query_string={"url": page, "title": "Our launch post"}
    ).get_json()
    [x] = [t for t in menu["targets"] if t["id"] == "x"]
    location = client.get(urlsplit(x["click_url"]).path + "?" + urlsplit(x["click_url"]).query)
    text = parse_qs(urlsplit(location.headers["Location"]).query)["text"][0]
    assert text.startswith("Our launch post") and "BTC" not in text
    # Unsigned or altered words, or words signed for another post, are ignored.
    path = urlsplit(x["click_url"]).path
    other = client.get(
        "/api/v1/sites/blog/shares",
        query_string={"url": "https://blog.example/other", "title": "Other post"},
    ).get_json()
    [other_x] = [t for t in other["targets"] if t["id"] == "x"]
    for words in (
        "Free money",
        urlsplit(x["click_url"]).query[2:] + "x",
        urlsplit(other_x["click_url"]).query[2:],
    ):
        location = client.get(path, query_string={"w": words}).headers["Location"]
        text = parse_qs(urlsplit(location).query)["text"][0]
        assert "Free money" not in text and "Other post" not in text, words
