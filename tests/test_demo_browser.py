"""The demo post works in a real browser with the plain HTML form (no widget JS needed)."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def page_without_js(chromium):
    # With JavaScript on, embed.js replaces the plain form with the widget; this test is
    # about the fallback readers get with JavaScript off.
    context = chromium.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_demo_form_posts_a_comment_that_awaits_moderation(live_server, page_without_js):
    page = page_without_js
    page.goto(f"{live_server.url}/demo")
    assert "Russia-Ukraine Talks" in page.title()
    page.fill("#author", "Reader")
    page.fill("#text", "Thanks for the *clear* summary.")
    page.click("button[type=submit]")
    assert "awaiting moderation" in page.inner_text("#your-comment")
