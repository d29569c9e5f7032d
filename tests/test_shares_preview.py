"""The preview-tag checker: what each network shows, what is wrong, and a careful fetcher."""

from __future__ import annotations

import json
import urllib.request

import pytest

from service.http.errors import ValidationError
from service.shares import preview, preview_rules

BROKEN = """<!doctype html><html><head><title>Fallback title</title>
<meta property="og:title" content="{title}">
<meta property="og:image" content="/images/cover.svg">
<meta property="og:image:width" content="150"><meta property="og:image:height" content="150">
<meta property="og:url" content="/relative">
<meta name="twitter:card" content="huge">
</head><body></body></html>"""


@pytest.fixture
def demo_html(client, make_site):
    make_site("demo", origins=["http://localhost"])
    response = client.get("/demo")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def codes(report: dict) -> dict[str, str]:
    return {problem["code"]: problem["level"] for problem in report["problems"]}


def test_demo_post_carries_complete_preview_tags(demo_html):
    report = preview_rules.check(preview.read_tags(demo_html, "http://localhost/demo"))
    assert report["ok"], report["problems"]
    errors = [p for p in report["problems"] if p["level"] == "error"]
    assert errors == []
    tags = report["tags"]
    assert tags["og:type"] == "article"
    assert tags["og:url"] == "http://localhost/demo"
    assert tags["og:image"] == "http://localhost/static/og/demo-post.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:alt"] and tags["og:site_name"] and tags["og:description"]
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["article:published_time"].startswith("2025-")
    assert report["networks"]["facebook"]["layout"] == "large"
    assert report["networks"]["x"]["layout"] == "summary_large_image"
    # The seed's headline is 77 characters: worth a warning, not an error.
    assert codes(report).get("title_too_long") == "warning"


def test_demo_links_use_the_public_url_not_the_host_header(app, client, make_site):
    make_site("demo", origins=["https://blog.example"])
    app.config["PUBLIC_URL"] = "https://talk.example"
    page = client.get("/demo", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in page
    tags = preview.read_tags(page)
    assert tags["canonical"] == "https://talk.example/demo"
    assert tags["meta"]["og:url"] == "https://blog.example/demo"
    assert tags["meta"]["og:image"] == "https://talk.example/static/og/demo-post.png"
    for path in ("/p/", "/s/demo/", "/api/v1/sites/demo/threads/"):
        assert f"https://talk.example{path}" in page


def test_demo_image_is_a_real_1200x630_png(client, demo_html):
    response = client.get("/static/og/demo-post.png")
    data = response.data
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 630)
    response.close()


def test_broken_tags_are_reported_with_codes_and_networks():
    report = preview_rules.check(preview.read_tags(BROKEN.format(title="A" * 80)))
    found = codes(report)
    assert not report["ok"]
    assert found["image_not_absolute"] == "error"
    assert found["image_svg"] == "error"
    assert found["image_too_small"] == "error"
    assert found["og_url_not_absolute"] == "error"
    assert found["invalid_twitter_card"] == "error"
    assert found["title_too_long"] == "warning"
    assert found["missing_og_description"] == "warning"
    assert found["missing_image_alt"] == "warning"
    small = next(p for p in report["problems"] if p["code"] == "image_too_small")
    assert small["networks"] == ["facebook"]


def test_missing_tags_fall_back_to_the_page_title():
    report = preview_rules.check(preview.read_tags("<title>Only a title</title>"))
    assert codes(report)["missing_og_title"] == "error"
    assert codes(report)["missing_og_image"] == "error"
    assert codes(report)["missing_twitter_card"] == "warning"
    assert report["networks"]["facebook"]["title"] == "Only a title"
    assert report["networks"]["bluesky"]["layout"] == "text"


def test_mid_length_title_and_small_image_are_warnings():
    html = (
        '<meta property="og:title" content="{}">'
        '<meta property="og:image" content="https://a.example/i.png">'
        '<meta property="og:image:width" content="400"><meta property="og:image:height" content="400">'
    ).format("T" * 65)
    found = codes(preview_rules.check(preview.read_tags(html)))
    assert found["title_long"] == "warning"
    assert found["image_small"] == "warning"
    assert found["image_aspect"] == "warning"


IMAGE_SIZE = """<meta property="og:image" content="https://a.example/i.png">
<meta property="og:image:width" content="{width}"><meta property="og:image:height" content="{height}">"""


@pytest.mark.parametrize(
    "width, height",
    [("0", "0"), ("1200", "0"), ("²", "630"), ("9" * 5000, "630"), ("-1200", "630")],
)
def test_image_sizes_that_are_not_sizes_count_as_unknown(width, height):
    report = preview_rules.check(preview.read_tags(IMAGE_SIZE.format(width=width, height=height)))
    assert codes(report)["image_size_unknown"] == "warning"
    assert "image_aspect" not in codes(report)
    assert report["networks"]["facebook"]["layout"] == "small"


def test_unparseable_image_and_page_urls_are_not_absolute():
    html = '<meta property="og:image" content="http://["><meta property="og:url" content="http://[::1">'
    found = codes(preview_rules.check(preview.read_tags(html)))
    assert found["image_not_absolute"] == "error"
    assert found["og_url_not_absolute"] == "error"


@pytest.mark.parametrize(
    "url, code",
    [
        ("file:///etc/passwd", "unsupported_scheme"),
        ("ftp://example.com/", "unsupported_scheme"),
        ("javascript:alert(1)", "unsupported_scheme"),
        ("http://user:pw@example.com/", "invalid_url"),
        ("http://127.0.0.1:1/", "private_address"),
        ("http://localhost/", "private_address"),
        ("http://10.1.2.3/", "private_address"),
        ("http://169.254.169.254/latest/meta-data/", "private_address"),
        ("http://[::1]/", "private_address"),
        ("http://0.0.0.0/", "private_address"),
    ],
)
def test_fetcher_refuses_other_schemes_and_private_addresses(url, code):
    with pytest.raises(ValidationError) as caught:
        preview.fetch_page(url)
    assert caught.value.code == code


def test_preview_endpoint_needs_a_moderator_token(client, site, make_moderator):
    assert client.post("/api/v1/sites/blog/preview-check", json={"url": "x"}).status_code == 401
    _, token = make_moderator(site)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        "/api/v1/sites/blog/preview-check", json={"url": "http://127.0.0.1/"}, headers=headers
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "private_address"
    missing = client.post("/api/v1/sites/blog/preview-check", json={}, headers=headers)
    assert missing.status_code == 422


def _post_json(url: str, body: dict, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_preview_endpoint_fetches_and_checks_a_live_page(live_server):
    live_server.app.config["SHARES_PREVIEW_ALLOW_PRIVATE"] = True
    status, report = _post_json(
        f"{live_server.url}/api/v1/sites/demo/preview-check",
        {"url": f"{live_server.url}/demo"},
        live_server.token,
    )
    assert status == 200, report
    assert report["ok"] is True
    assert report["networks"]["x"]["image"] == f"{live_server.url}/static/og/demo-post.png"


def test_fetcher_caps_size_follows_redirects_and_wants_html(live_server):
    page = preview.fetch_page(f"{live_server.url}/demo", allow_private=True, max_bytes=300)
    assert len(page.html) <= 300
    followed = preview.fetch_page(f"{live_server.url}/p/1", allow_private=True)  # 302 to /demo
    assert followed.url == f"{live_server.url}/demo" and "og:image" in followed.html
    with pytest.raises(ValidationError) as caught:
        preview.fetch_page(f"{live_server.url}/static/og/demo-post.png", allow_private=True)
    assert caught.value.code == "not_html"
    with pytest.raises(ValidationError) as caught:
        preview.fetch_page(f"{live_server.url}/nowhere", allow_private=True)
    assert caught.value.code == "fetch_failed"


def test_cli_checks_a_saved_file(app, demo_html, tmp_path):
    good = tmp_path / "demo.html"
    good.write_text(demo_html, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["shares", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "summary_large_image" in result.output and "OK" in result.output
    bad = tmp_path / "bad.html"
    bad.write_text(BROKEN.format(title="Short"), encoding="utf-8")
    result = runner.invoke(args=["shares", "check", str(bad)])
    assert result.exit_code == 1
    assert "image_not_absolute" in result.output


def test_cli_refuses_private_urls_unless_allowed(app):
    result = app.test_cli_runner().invoke(args=["shares", "check", "http://127.0.0.1:1/"])
    assert result.exit_code != 0 and "private" in result.output


def _networks(report: dict, code: str) -> list[list[str]]:
    return [p["networks"] for p in report["problems"] if p["code"] == code]


X_CARD = """<meta property="og:title" content="T">
<meta property="og:image" content="https://a.example/{image}">
<meta property="og:image:width" content="{width}"><meta property="og:image:height" content="{height}">
<meta name="twitter:card" content="{card}">{extra}"""


def test_x_card_images_follow_xs_own_sizes_and_ratios():
    def check(**values):
        values = {"image": "i.png", "extra": "", **values}
        return preview_rules.check(preview.read_tags(X_CARD.format(**values)))

    huge = check(width=5000, height=2500, card="summary_large_image")
    assert _networks(huge, "image_too_large_for_card") == [["x"]]
    square = check(width=400, height=400, card="summary")
    assert "image_aspect_for_card" not in codes(square)  # a summary card is 1:1
    assert _networks(square, "image_aspect") == [["facebook", "linkedin"]]
    wide_summary = check(width=1200, height=630, card="summary")
    assert _networks(wide_summary, "image_aspect_for_card") == [["x"]]
    tiny = check(width=100, height=100, card="summary")
    assert _networks(tiny, "image_too_small_for_card") == [["x"]]
    fine = check(width=1200, height=630, card="summary_large_image")
    assert not [p for p in fine["problems"] if p["networks"] == ["x"]]


def test_x_reads_twitter_image_first():
    svg_for_x = preview_rules.check(
        preview.read_tags(
            X_CARD.format(
                image="i.png",
                width=1200,
                height=630,
                card="summary_large_image",
                extra='<meta name="twitter:image" content="https://a.example/card.svg">',
            )
        )
    )
    assert _networks(svg_for_x, "image_svg") == [["x"]]
    only_twitter = preview_rules.check(
        preview.read_tags(
            '<meta name="twitter:card" content="summary_large_image">'
            '<meta name="twitter:image" content="https://a.example/card.png">'
        )
    )
    [missing] = _networks(only_twitter, "missing_og_image")
    assert "x" not in missing and "facebook" in missing
    assert only_twitter["networks"]["x"]["image"] == "https://a.example/card.png"
