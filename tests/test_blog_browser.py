"""Talkback on a real blog: a MkDocs site built from Markdown with the snippet `flask sites
create` prints in its theme, served from its own origin.

A reader reads the thread, opens the share menu and copies the link, posts and sees the
comment pending; a moderator approves it in the dashboard; a second reader sees it. With
JavaScript off the reader uses the no-JS form and returns to the post. On an origin the
site does not allow, readers get a plain message and no form, and the owner's Sites page
lists the origin. TALKBACK_SCREENSHOTS=docs/screenshots saves the screenshots.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from service.accounts import onboarding, passwords
from service.accounts import services as accounts
from service.accounts.models import Role
from service.extensions import db
from tests import support
from tests.moderator_forms import PASSWORD
from tests.test_widget_browser import Recorder, api

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).with_name("blog_fixture")
POST = "/posts/river-walk/"
HEADING = ".tb h2"


@pytest.fixture
def blog(live_server, tmp_path):
    """The blog built with the site's snippet, served on an allowed and a refused origin."""
    servers, origins = [], []
    for _ in range(2):
        port = support.free_port()
        origins.append(f"http://127.0.0.1:{port}")
        servers.append(port)
    allowed, refused = origins
    with live_server.app.app_context():
        site = accounts.create_site("fieldnotes", "Field Notes", [allowed])
        owner = passwords.find_moderator("owner@example.org")
        accounts.grant_role(owner, site, Role.OWNER)
        # Not set_password(): that would revoke the owner's API token the test approves with.
        owner.password_hash = passwords.hash_password(PASSWORD)
        db.session.commit()
        snippet = onboarding.embed_snippet(site, live_server.url)
    source = tmp_path / "blog"
    shutil.copytree(FIXTURE, source)
    indented = "\n".join("    " + line for line in snippet.splitlines())
    with open(source / "mkdocs.yml", "a", encoding="utf-8") as config:
        config.write(f"extra:\n  talkback_snippet: |\n{indented}\n")
    built = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "-q",
            "-f",
            str(source / "mkdocs.yml"),
            "-d",
            str(built),
        ],
        check=True,
    )
    assert snippet.splitlines()[-1] in (built / "posts/river-walk/index.html").read_text()
    handler = functools.partial(QuietHandler, directory=str(built))
    running = []
    for port in servers:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append(server)
    yield type("Blog", (), {"allowed": allowed, "refused": refused, "site": "fieldnotes"})
    for server in running:
        server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def shot(page, name: str, locator: str | None = None) -> None:
    folder = os.environ.get("TALKBACK_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    target = str(Path(folder) / name)
    if locator:
        page.locator(locator).screenshot(path=target)
    else:
        page.screenshot(path=target, full_page=True)


def reader(chromium, **options):
    context = chromium.new_context(viewport={"width": 900, "height": 1000}, **options)
    page = context.new_page()
    page.recorder = Recorder(page)
    # The MkDocs theme's own scripts may complain (no search plugin); Talkback's may not.
    page.talkback_errors = []
    page.on("pageerror", lambda error: page.talkback_errors.append(error.stack or str(error)))
    return context, page


def signed_in_owner(chromium, live_server, next_path: str):
    context, page = reader(chromium)
    page.goto(f"{live_server.url}/moderate/login?next={next_path}")
    page.fill("#email", "owner@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    return context, page


def talkback_errors(page, service_url: str) -> list[str]:
    return [stack for stack in page.talkback_errors if service_url in stack]


def test_a_reader_comments_on_the_blog_and_a_moderator_publishes_it(live_server, blog, chromium):
    first = api(
        live_server,
        "POST",
        "/api/v1/sites/fieldnotes/comments",
        {"uri": POST, "author": "Ann", "text": "Did the *ferry* run on Sundays?"},
    )
    api(live_server, "POST", f"/api/v1/comments/{first['id']}/approve", auth=True)

    context, page = reader(chromium, permissions=["clipboard-read", "clipboard-write"])
    page.goto(blog.allowed + POST)
    page.wait_for_selector(f"{HEADING}:has-text('1 comment')")
    assert "ferry" in page.inner_text(".tb-b em")
    # Before the reader does anything: embed.js, its CSS and the thread, nothing else.
    loaded = [url for url in page.recorder.requests if url.startswith(live_server.url)]
    assert not any("embed-share" in url or "/shares" in url for url in loaded), loaded

    # The share menu: Get link (copy, short link, QR), X, Other apps.
    page.click(".tb-sh button:has-text('Get link')")
    page.wait_for_selector(".tb-sp input")
    assert page.input_value(".tb-sp input") == blog.allowed + POST
    page.click(".tb-sp button:has-text('Copy link')")
    page.wait_for_selector(".tb-st:has-text('Link copied')")
    assert page.evaluate("navigator.clipboard.readText()") == blog.allowed + POST
    assert page.locator(".tb-sp img[alt*='QR']").count() == 1
    shot(page, "blog-share-menu.png", "#talkback-thread")
    page.click(".tb-sh button:has-text('Other apps')")
    assert "Mastodon" in page.inner_text("ul.tb-sp")
    assert page.get_attribute(".tb-sh a.tb-xl", "href").startswith(
        f"{live_server.url}/s/fieldnotes/"
    )
    # Nothing so far asked anybody but the blog and Talkback, and nothing set a cookie.
    assert page.recorder.origins() == {blog.allowed, live_server.url}
    assert context.cookies() == []

    page.fill("form.tb-f input[name=author]", "Ben")
    page.fill("form.tb-f textarea[name=text]", "Good boots indeed. The **herons** were there too.")
    page.click("form.tb-f button[type=submit]")
    page.wait_for_selector(".tb-mine:has-text('Awaiting moderation')")
    assert page.inner_text(".tb-mine .tb-b strong") == "herons"
    assert page.inner_text(HEADING) == "2 comments"
    shot(page, "blog-pending.png", "#talkback-thread")
    assert talkback_errors(page, live_server.url) == [] and context.cookies() == []
    context.close()

    # The moderator approves it in the dashboard.
    moderator, dash = signed_in_owner(chromium, live_server, "/moderate/queue")
    entry = dash.locator("#queue .comment:has-text('herons')")
    with dash.expect_navigation():
        entry.locator("button[data-action=approve]").click()
    assert "Approve: 1 comment." in dash.inner_text(".flashes")
    moderator.close()

    second, page = reader(chromium)
    page.goto(blog.allowed + POST)
    page.wait_for_selector(f"{HEADING}:has-text('2 comments')")
    assert "herons" in page.inner_text(".tb-l")
    assert page.locator(".tb-mine").count() == 0
    shot(page, "blog-published.png")
    second.close()

    # The theme's dark mode (MkDocs follows the system): "auto" reads the page and matches.
    night, page = reader(chromium, color_scheme="dark")
    page.goto(blog.allowed + POST)
    page.wait_for_selector(f"{HEADING}:has-text('2 comments')")
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    theme = page.evaluate(
        "document.getElementById('talkback-thread').shadowRoot.querySelector('.tb').dataset.theme"
    )
    assert (body, theme) == ("rgb(33, 37, 41)", "dark")
    shot(page, "blog-dark.png")
    night.close()


def test_without_javascript_a_reader_comments_through_the_plain_form(live_server, blog, chromium):
    context, page = reader(chromium, java_script_enabled=False)
    page.goto(blog.allowed + POST)
    page.click("text=Read and write comments")
    # The snippet's fallback link found the post from its referrer.
    assert page.url.startswith(f"{live_server.url}/t/fieldnotes?uri=/posts/river-walk/")
    assert "0 comments" in page.inner_text("h1")
    page.fill("textarea[name=text]", "Posted with JavaScript switched off.")
    page.fill("input[name=author]", "Cleo")
    page.click("#comment-form button[type=submit]")
    page.wait_for_selector("#your-comment:has-text('Awaiting moderation')")
    assert "1 comment" in page.inner_text("h1")
    shot(page, "blog-nojs.png")
    page.click("#back-to-post")
    assert page.url == blog.allowed + POST
    assert "A walk along the river" in page.inner_text("h1")
    assert context.cookies() == []
    context.close()


def test_on_an_origin_that_is_not_allowed_readers_get_a_plain_message(live_server, blog, chromium):
    context, page = reader(chromium)
    page.goto(blog.refused + POST)
    page.wait_for_selector(f"{HEADING}:has-text('Comments are not available on this page.')")
    assert page.locator("form.tb-f").count() == 0
    assert page.locator(".tb-sh").count() == 0
    warnings = [line for line in page.recorder.console if line.startswith("warning:")]
    assert any(f"--add-origin {blog.refused}" in line for line in warnings), page.recorder.console
    shot(page, "blog-refused.png", "#talkback-thread")
    context.close()

    owner, dash = signed_in_owner(chromium, live_server, "/moderate/sites/")
    refused = dash.locator("#site-fieldnotes .refused")
    assert blog.refused in refused.inner_text()
    shot(dash, "sites-refused.png")
    with dash.expect_navigation():
        refused.locator("button:has-text('Add this origin')").click()
    assert f"{blog.refused} may now show comments." in dash.inner_text(".flashes")
    owner.close()
    with live_server.app.app_context():
        assert blog.refused in db.session.scalar(
            db.select(accounts.Site.allowed_origins).where(accounts.Site.slug == "fieldnotes")
        )
