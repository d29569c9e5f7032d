"""The demo post's share menu in headless Chromium: Get link / X / Other apps, with and
without JavaScript, by mouse, keyboard and accessible names."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.comments.models import Thread
from service.extensions import db
from service.shares.models import ShareClick
from service.shares.targets import TARGETS
from tests import support

pytestmark = pytest.mark.browser

# Records window.open calls instead of opening popups (the test machine has no internet).
STUB_OPEN = """() => {
  window.__opened = [];
  window.open = function (url, name, features) {
    window.__opened.push({url: String(url), features: features});
    return {opener: window};
  };
}"""


@pytest.fixture
def share_page(chromium, live_server):
    context = chromium.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{live_server.url}/demo")
    yield page
    context.close()


def demo_thread_id(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(Thread.id).where(Thread.uri == "/demo"))


def menu(page):
    return page.get_by_role("navigation", name="Share this post")


def test_menu_shows_get_link_x_and_other_apps(share_page):
    nav = menu(share_page)
    assert nav.get_by_text("Get link", exact=True).is_visible()
    x_link = nav.get_by_role("link", name="Share on X")
    assert x_link.is_visible() and x_link.inner_text() == "X"
    assert nav.get_by_text("Other apps", exact=True).is_visible()
    bluesky = nav.get_by_role("link", name="Share on Bluesky")
    assert not bluesky.is_visible()
    nav.get_by_text("Other apps", exact=True).click()
    expect(bluesky).to_be_visible()
    for name in ("Share on Facebook", "Share on Mastodon", "Share by email", "Share on Reddit"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()


def test_links_point_at_the_counted_redirect_for_each_network(share_page, live_server):
    thread_id = demo_thread_id(live_server)
    nav = menu(share_page)
    hrefs = {
        link.get_attribute("aria-label"): link.get_attribute("href")
        for link in nav.locator("a[aria-label]").all()
    }
    for target in TARGETS:
        assert hrefs[target.accessible_label] == (
            f"{live_server.url}/s/demo/{thread_id}/{target.id}"
        )
    client = live_server.app.test_client()
    response = client.get(f"/s/demo/{thread_id}/x")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert response.headers["Location"].startswith("https://x.com/intent/tweet?")
    assert query["url"] == [f"{live_server.url}/demo"]
    assert query["text"][0].startswith("Few Expect Breakthrough")
    short = nav.locator(".share-getlink a").get_attribute("href")
    assert short == f"{live_server.url}/p/{thread_id}"
    assert client.get(urlsplit(short).path).headers["Location"] == f"{live_server.url}/demo"


def test_copy_link_writes_the_clipboard_and_says_copied(share_page, live_server):
    nav = menu(share_page)
    nav.get_by_text("Get link", exact=True).click()
    field = nav.get_by_role("textbox", name="Link to this post")
    assert field.input_value() == f"{live_server.url}/demo"
    button = nav.get_by_role("button", name="Copy link")
    button.click()
    expect(nav.get_by_role("button", name="Copied")).to_be_visible()
    expect(nav.get_by_role("status")).to_have_text("Link copied to the clipboard.")
    assert share_page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/demo"
    qr = nav.get_by_role("img", name="QR code that opens this post")
    assert qr.get_attribute("src").endswith("/qr.svg")
    share_page.wait_for_function(
        "() => document.querySelector('.share-panel img').naturalWidth > 0", timeout=10_000
    )


def test_the_copy_fallback_leaves_keyboard_focus_on_the_copy_button(share_page):
    # A blog on plain http has no Clipboard API: the hidden-field fallback must not strand
    # focus on <body>.
    page = share_page
    page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    nav = menu(page)
    nav.get_by_text("Get link", exact=True).click()
    nav.get_by_role("button", name="Copy link").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.tagName !== 'TEXTAREA'")
    assert page.evaluate(
        "document.activeElement.tagName === 'BUTTON'"
        " && !!document.activeElement.closest('.share-getlink')"
    )


def test_keyboard_alone_opens_both_menus_and_copies(share_page, live_server):
    page = share_page
    page.keyboard.press("Tab")
    focused = "document.activeElement"
    assert page.evaluate(f"{focused}.textContent") == "Get link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('.share-getlink').open") is True
    for _ in range(2):  # the link field, then the copy button
        page.keyboard.press("Tab")
    assert page.evaluate(f"{focused}.textContent") == "Copy link"
    page.keyboard.press("Enter")
    expect(menu(page).get_by_role("button", name="Copied")).to_be_visible()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(f"{focused}.textContent") == "Other apps":
            break
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('.share-other').open") is True
    page.keyboard.press("Tab")
    assert page.evaluate(f"{focused}.getAttribute('aria-label')") == "Share on Facebook"


def test_script_opens_sized_popups_through_the_counter(share_page, live_server):
    page = share_page
    page.evaluate(STUB_OPEN)
    menu(page).get_by_role("link", name="Share on X").click()
    opened = page.evaluate("window.__opened")
    assert len(opened) == 1
    assert opened[0]["url"] == f"{live_server.url}/s/demo/{demo_thread_id(live_server)}/x"
    assert "width=550" in opened[0]["features"] and "height=420" in opened[0]["features"]
    assert page.url == f"{live_server.url}/demo"  # the page itself did not navigate


def test_mastodon_asks_for_the_server_once_and_remembers_it(share_page, live_server):
    page = share_page
    page.evaluate(STUB_OPEN)
    answers = []

    def answer(dialog):
        answers.append(dialog.default_value)
        dialog.accept("@reader@Fosstodon.org")

    page.on("dialog", answer)
    nav = menu(page)
    nav.get_by_text("Other apps", exact=True).click()
    nav.get_by_role("link", name="Share on Mastodon").click()
    opened = page.evaluate("window.__opened")
    url = urlsplit(opened[0]["url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "fosstodon.org", "/share")
    assert parse_qs(url.query)["text"][0].endswith(f"{live_server.url}/demo")
    assert page.evaluate("localStorage.getItem('talkback.mastodon')") == "fosstodon.org"
    nav.get_by_role("link", name="Share on Mastodon").click()
    assert answers == ["", "fosstodon.org"]  # the second prompt is pre-filled

    thread_id = demo_thread_id(live_server)

    def counted() -> bool:
        with live_server.app.app_context():
            row = db.session.scalar(
                select(ShareClick).where(
                    ShareClick.thread_id == thread_id, ShareClick.network == "mastodon"
                )
            )
            db.session.remove()
            return bool(row and row.count == 2)

    support.wait_for(counted, timeout=10)


def test_menu_works_without_javascript(chromium, live_server):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/demo")
        nav = menu(page)
        assert not nav.get_by_role("button", name="Copy link").is_visible()
        nav.get_by_text("Get link", exact=True).click()
        field = nav.get_by_role("textbox", name="Link to this post")
        assert field.input_value() == f"{live_server.url}/demo"
        nav.get_by_text("Other apps", exact=True).click()
        email = nav.get_by_role("link", name="Share by email")
        expect(email).to_be_visible()
        assert "/s/demo/" in email.get_attribute("href")
    finally:
        context.close()
