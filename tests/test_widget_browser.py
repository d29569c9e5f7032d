"""The embed widget in headless Chromium: posting, moderation, threading, counts, keyboard,
no-JS fallback, hostile comments, and the privacy promises (one origin, no cookies)."""

from __future__ import annotations

import json
import random
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests import support

pytestmark = pytest.mark.browser

# Playwright's CSS engine pierces open shadow roots, so these reach inside the widget.
HEADING = ".tb h2"
FORM = "form.tb-f"
# The reader's own comment, shown in the list like the others, with a badge until approved.
PANEL = ".tb-mine"


def api(server, method: str, path: str, body: dict | None = None, *, auth: bool = False):
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = f"Bearer {server.token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def approve(server, comment_id: int) -> None:
    assert api(server, "POST", f"/api/v1/comments/{comment_id}/approve", auth=True)["status"] == (
        "approved"
    )


def published(server, text: str, uri: str = "/demo", **fields) -> int:
    made = api(server, "POST", "/api/v1/sites/demo/comments", {"uri": uri, "text": text, **fields})
    approve(server, made["id"])
    return made["id"]


class Recorder:
    """Everything a page asked for and said, to check the privacy and safety promises."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)

    def _console(self, message) -> None:
        # Chromium asks for /favicon.ico on its own; the service has none. Not the widget.
        if not message.location.get("url", "").endswith("/favicon.ico"):
            self.console.append(f"{message.type}: {message.text}")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def origins(self) -> set[str]:
        return {"{0.scheme}://{0.netloc}".format(urlsplit(url)) for url in self.requests}


@pytest.fixture
def context(chromium):
    context = chromium.new_context()
    yield context
    context.close()


@pytest.fixture
def browser_page(context):
    page = context.new_page()
    page.recorder = Recorder(page)
    return page


def shadow_focus(page) -> str:
    """Class and name of the element focused inside the widget's shadow root."""
    return page.evaluate(
        """() => {
            const el = document.getElementById('talkback-thread').shadowRoot.activeElement;
            return el ? `${el.className}|${el.getAttribute('name') || ''}` : '';
        }"""
    )


def wait_for_widget(page, heading: str) -> None:
    page.wait_for_selector(f"{HEADING}:has-text('{heading}')")


def test_a_reader_posts_sees_it_pending_and_after_approval_published(
    live_server, context, browser_page
):
    page = browser_page
    page.goto(f"{live_server.url}/demo")
    wait_for_widget(page, "0 comments")
    page.fill(f"{FORM} input[name=author]", "Widget Reader")
    page.fill(f"{FORM} textarea[name=text]", "Posted through the **widget**.")
    page.click(f"{FORM} button[type=submit]")

    page.wait_for_selector(f"{PANEL}:has-text('Awaiting moderation')")
    assert shadow_focus(page).startswith("tb-c tb-mine")  # focus moved to the comment
    # Rendered like a published comment: name, time, sanitised HTML; counted, no empty state.
    assert page.inner_text(f"{PANEL} .tb-m bdi") == "Widget Reader"
    assert page.locator(f"{PANEL} time").count() == 1
    assert page.inner_text(f"{PANEL} .tb-b strong") == "widget"
    assert page.inner_text(HEADING) == "1 comment"
    assert page.locator(".tb-none").count() == 0
    page.wait_for_function(
        "() => document.getElementById('talkback-thread').shadowRoot"
        ".querySelector('[role=status]').textContent.includes('awaiting moderation')"
    )
    stored = json.loads(page.evaluate("localStorage.getItem('talkback:demo')"))
    assert [set(entry) for entry in stored] == [{"id", "token", "uri"}]

    page.reload()  # the pending state survives a reload, from localStorage alone
    page.wait_for_selector(f"{PANEL}:has-text('Awaiting moderation')")
    assert "Posted through" in page.inner_text(PANEL)
    assert "**" not in page.inner_text(PANEL)  # rendered, not raw Markdown

    approve(live_server, stored[0]["id"])
    page.reload()
    wait_for_widget(page, "1 comment")
    item = page.locator(f"#tb-{stored[0]['id']}")
    assert "Widget Reader" in item.inner_text()
    assert item.locator(".tb-b strong").inner_text() == "widget"
    # Shown once: the published copy, with the author's buttons, and no badge.
    assert page.locator(f"[id=tb-{stored[0]['id']}]").count() == 1
    assert page.locator(PANEL).count() == 0
    assert item.locator("button:has-text('Edit')").count() == 1
    assert item.locator(".tb-ed").count() == 0

    # Edited after publication (and approved again): readers see a marker.
    path = f"/api/v1/comments/{stored[0]['id']}"
    api(live_server, "PATCH", path, {"token": stored[0]["token"], "text": "Fixed a typo."})
    approve(live_server, stored[0]["id"])
    page.reload()
    wait_for_widget(page, "1 comment")
    assert item.locator(".tb-ed").inner_text() == "edited"

    recorder = page.recorder
    assert recorder.origins() == {live_server.url}
    assert not recorder.errors and not recorder.dialogs and not recorder.console


def test_the_author_edits_then_deletes_their_comment(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/demo/embedded")
    wait_for_widget(page, "0 comments")
    page.fill(f"{FORM} textarea[name=text]", "First version.")
    page.click(f"{FORM} button[type=submit]")
    page.wait_for_selector(f"{PANEL}:has-text('First version.')")

    page.click(f"{PANEL} button:has-text('Edit')")
    page.fill(f"{PANEL} textarea", "Second version.")
    page.click(f"{PANEL} button:has-text('Save')")
    page.wait_for_selector(f"{PANEL}:has-text('Second version.')")
    assert page.locator(f"{PANEL} .tb-ed").count() == 0  # only published comments show it
    comment_id = json.loads(page.evaluate("localStorage.getItem('talkback:demo')"))[0]["id"]
    token = json.loads(page.evaluate("localStorage.getItem('talkback:demo')"))[0]["token"]
    assert api(live_server, "GET", f"/api/v1/comments/{comment_id}?token={token}")["text"] == (
        "Second version."
    )

    page.click(f"{PANEL} button:has-text('Delete')")
    page.click(f"{PANEL} button:has-text('Really delete?')")  # two steps, no confirm() dialog
    page.wait_for_selector(PANEL, state="detached")
    assert page.evaluate("localStorage.getItem('talkback:demo')") is None
    with pytest.raises(urllib.error.HTTPError) as gone:
        api(live_server, "GET", f"/api/v1/comments/{comment_id}?token={token}")
    assert gone.value.code == 404


def test_replies_are_threaded_and_the_widget_sets_no_cookie(live_server, context, browser_page):
    page = browser_page
    parent = published(live_server, "The parent comment.", author="Ann")
    page.goto(f"{live_server.url}/demo/embedded")
    wait_for_widget(page, "1 comment")

    page.click(f"#tb-{parent} button:has-text('Reply')")
    assert page.inner_text(f"#tb-{parent} {FORM} h3") == "Reply to Ann"
    assert shadow_focus(page) == "|text"
    page.fill(f"#tb-{parent} {FORM} textarea[name=text]", "A reply to Ann.")
    page.click(f"#tb-{parent} {FORM} button[type=submit]")
    page.wait_for_selector(f"{PANEL}:has-text('A reply to Ann.')")
    reply = json.loads(page.evaluate("localStorage.getItem('talkback:demo')"))[0]["id"]
    approve(live_server, reply)

    page.reload()
    wait_for_widget(page, "2 comments")
    nested = page.locator(f"#tb-{parent} > ol.tb-r > #tb-{reply}")
    assert "A reply to Ann." in nested.inner_text()
    # The plain thread page nests it the same way.
    page.goto(f"{live_server.url}/t/demo?uri=/demo")
    assert "A reply to Ann." in page.inner_text(f"#comment-{parent} ol.tb-r #comment-{reply}")

    assert context.cookies() == []
    assert page.recorder.origins() == {live_server.url}
    assert not page.recorder.console  # the strict CSP of /demo/embedded reported nothing


def test_a_name_is_shown_as_typed_and_cannot_reverse_what_follows(live_server, browser_page):
    page = browser_page
    # `$&` and `$`` are replacement patterns to String.replace; U+202E would reverse the line.
    parent = published(live_server, "Names are data.", author="Ann $& $` \u202eevil")
    page.goto(f"{live_server.url}/demo/embedded")
    wait_for_widget(page, "1 comment")
    assert page.inner_text(f"#tb-{parent} .tb-m bdi") == "Ann $& $` evil"
    page.click(f"#tb-{parent} button:has-text('Reply')")
    assert page.inner_text(f"#tb-{parent} {FORM} h3") == "Reply to Ann $& $` evil"


def test_count_spans_on_a_listing_page_are_filled_in_one_request(
    live_server, context, browser_page
):
    for text in ("One", "Two"):
        published(live_server, text)
    published(live_server, "Elsewhere", uri="/another-post", title="Another post")
    page = browser_page
    page.goto(f"{live_server.url}/demo/posts")
    page.wait_for_selector("[data-talkback-count='/demo']:has-text('2 comments')")
    page.wait_for_selector("[data-talkback-count='/another-post']:has-text('1 comment')")
    count_calls = [url for url in page.recorder.requests if "/counts?" in url]
    assert len(count_calls) == 1
    assert "uri=%2Fdemo" in count_calls[0] and "uri=%2Fanother-post" in count_calls[0]
    assert context.cookies() == []
    assert page.recorder.origins() == {live_server.url}


def test_a_reader_can_post_with_the_keyboard_alone(live_server, context, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/demo/embedded")
    wait_for_widget(page, "0 comments")
    for _ in range(80):
        if shadow_focus(page) == "|author":
            break
        page.keyboard.press("Tab")
    assert shadow_focus(page) == "|author", "Tab never reached the widget's name field"
    page.keyboard.type("Keys Only")
    page.keyboard.press("Tab")
    assert shadow_focus(page) == "|email"
    page.keyboard.press("Tab")
    assert shadow_focus(page) == "|website"
    page.keyboard.press("Tab")  # "notify me of replies" (the demo site offers reply mail)
    assert shadow_focus(page) == "|notify_replies"
    page.keyboard.press("Tab")  # the honeypot is not in the tab order
    assert shadow_focus(page) == "|text"
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    assert shadow_focus(page) == "tb-pr|"
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{PANEL}:has-text('Typed without a mouse.')")
    assert shadow_focus(page).startswith("tb-c tb-mine")
    assert context.cookies() == []


def test_with_javascript_off_the_comments_are_still_there(live_server, chromium):
    published(live_server, "Readable without *scripts*.", author="Plain")
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/demo")
        assert "Readable without scripts." in page.inner_text("#talkback-thread .comment-list")
        page.click("text=All comments, threaded, on one page")
        assert page.url.startswith(f"{live_server.url}/t/demo?uri=")
        assert "Readable without scripts." in page.inner_text("main")
        assert "1 comment" in page.inner_text("h1")
    finally:
        context.close()


def payload_comments() -> list[str]:
    """Samples of every XSS corpus, packed into comments below the length limit."""
    folder = support.shared_data("xss")
    rng = random.Random(6)
    payloads: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        # Split on \n only: some payloads contain U+2028 and friends (see the README).
        lines = [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
        payloads += rng.sample(lines, min(200, len(lines)))
    cases = json.loads((folder / "html5lib-sanitizer.dat").read_text(encoding="utf-8"))
    payloads += [case["input"] for case in cases]
    comments, current = [], ""
    for payload in payloads:
        if len(current) + len(payload) > 9_000:
            comments.append(current)
            current = ""
        current += payload[:9_000] + "\n\n"
    return [*comments, current]


# Scripts a payload might run; the init script turns each into a visible flag.
TRIPWIRE = """
window.__pwned = [];
for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
  const original = window[name];
  window[name] = function () { window.__pwned.push(name); };
}
"""


def test_hostile_comments_never_execute_script(live_server, context, browser_page):
    comments = payload_comments()
    ids = [published(live_server, text, author="<img src=x onerror=alert(1)>") for text in comments]
    page = browser_page
    page.add_init_script(TRIPWIRE)
    page.goto(f"{live_server.url}/demo")  # server-rendered fallback and widget, both
    wait_for_widget(page, f"{len(ids)} comments")
    page.wait_for_timeout(500)  # let any late onerror/onload handler fire

    rendered = page.evaluate(
        """() => {
            const root = document.getElementById('talkback-thread');
            const nodes = [...root.querySelectorAll('*'), ...root.shadowRoot.querySelectorAll('*')];
            return {
                bodies: root.shadowRoot.querySelectorAll('.tb-b').length,
                dangerous: nodes
                    .filter((n) => /^(script|img|iframe|object|embed|svg|math|style|link|meta|form|base)$/i
                        .test(n.tagName) && !n.closest('form.tb-f, form.comment-form')
                        && !(n.tagName === 'LINK' && n.parentNode === root.shadowRoot))
                    .map((n) => n.outerHTML.slice(0, 80)),
                handlers: nodes.flatMap((n) => [...n.attributes]
                    .filter((a) => /^on/i.test(a.name)).map((a) => `${n.tagName} ${a.name}`)),
                scriptLinks: nodes.filter((n) => /^\\s*(javascript|data|vbscript):/i
                    .test(n.getAttribute('href') || n.getAttribute('src') || '')).length,
            };
        }"""
    )
    assert rendered["bodies"] == len(ids)
    assert rendered["dangerous"] == []
    assert rendered["handlers"] == []
    assert rendered["scriptLinks"] == 0
    assert page.evaluate("window.__pwned") == []
    recorder = page.recorder
    assert recorder.dialogs == []
    assert recorder.errors == []
    assert recorder.console == []
    # An <img src=//evil> that survived would show up here as a third-party request.
    assert recorder.origins() == {live_server.url}

    # The plain thread page renders the same comments just as safely.
    page.goto(f"{live_server.url}/t/demo?uri=/demo")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") == []
    assert page.locator("main script, main img, main iframe, main svg").count() == 0
    assert recorder.dialogs == [] and recorder.origins() == {live_server.url}
    assert re.search(r"\d+ comments", page.inner_text("h1"))


@pytest.mark.parametrize(
    ("query", "scheme", "background", "direction", "heading"),
    [
        ("", "light", "rgb(255, 255, 255)", "ltr", "0 comments"),
        # "auto" (the default) follows the page, which is white: a dark OS does not matter.
        ("", "dark", "rgb(255, 255, 255)", "ltr", "0 comments"),
        ("?theme=system", "dark", "rgb(22, 24, 28)", "ltr", "0 comments"),
        ("?theme=system", "light", "rgb(255, 255, 255)", "ltr", "0 comments"),
        ("?theme=dark", "light", "rgb(22, 24, 28)", "ltr", "0 comments"),
        ("?theme=light", "dark", "rgb(255, 255, 255)", "ltr", "0 comments"),
        ("?lang=de", "light", "rgb(255, 255, 255)", "ltr", "0 Kommentare"),
        ("?lang=fr", "light", "rgb(255, 255, 255)", "ltr", "0 commentaire"),
        ("?lang=ar", "light", "rgb(255, 255, 255)", "rtl", "لا توجد تعليقات"),
    ],
)
def test_themes_follow_the_system_or_the_page_and_languages_set_direction(
    live_server, context, browser_page, query, scheme, background, direction, heading
):
    page = browser_page
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}/demo/embedded{query}")
    wait_for_widget(page, heading)
    style = page.evaluate(
        """() => {
            const box = document.getElementById('talkback-thread').shadowRoot.querySelector('.tb');
            return [getComputedStyle(box).backgroundColor, getComputedStyle(box).direction];
        }"""
    )
    assert style == [background, direction]


def test_auto_theme_reads_a_dark_host_page(live_server, browser_page):
    page = browser_page
    html = (
        '<!doctype html><html lang="en"><body style="background:#111;color:#eee">'
        '<main><div id="talkback-thread"></div></main>'
        f'<script src="{live_server.url}/embed.js" data-talkback-site="demo" async></script>'
        "</body></html>"
    )
    page.route(
        f"{live_server.url}/dark-blog",
        lambda route: route.fulfill(body=html, content_type="text/html"),
    )
    page.goto(f"{live_server.url}/dark-blog")
    wait_for_widget(page, "0 comments")
    theme = page.evaluate(
        "() => document.getElementById('talkback-thread').shadowRoot.querySelector('.tb').dataset.theme"
    )
    assert theme == "dark"


def test_screenshots_of_the_light_dark_and_mobile_widget(live_server, chromium, tmp_path):
    """Renders the docs' screenshots; TALKBACK_UPDATE_SCREENSHOTS=1 writes them to docs/."""
    import os
    import shutil

    first = published(
        live_server,
        "Clear summary, thanks. The **ceasefire** part is what matters to me.",
        author="Ann",
        website="https://ann.example",
    )
    reply = published(
        live_server, "Agreed. And `the 2022 draft` is worth a read.", author="Bob", parent_id=first
    )
    published(
        live_server,
        "> Both sides are preparing\n\nThat is the key line.",
        author="Chen",
        parent_id=reply,
    )
    published(live_server, "Will you follow up after the next round?", author="Dana")
    shots = {}
    for name, scheme, width in (
        ("light", "light", 720),
        ("dark", "dark", 720),
        ("mobile", "light", 390),
    ):
        context = chromium.new_context(
            viewport={"width": width, "height": 900}, color_scheme=scheme, device_scale_factor=1
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/demo/embedded" + ("?theme=dark" if scheme == "dark" else ""))
        wait_for_widget(page, "4 comments")
        page.fill(f"{FORM} textarea[name=text]", "My own *first* comment.")
        page.click(f"{FORM} button[type=submit]")
        page.wait_for_selector(PANEL)
        path = tmp_path / f"widget-{name}.png"
        page.locator("#talkback-thread").screenshot(path=str(path))
        shots[name] = path.read_bytes()
        context.close()
    assert len(set(shots.values())) == 3
    assert all(len(png) > 10_000 for png in shots.values())
    if os.environ.get("TALKBACK_UPDATE_SCREENSHOTS") == "1":
        target = support.ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        for name in shots:
            shutil.copy(tmp_path / f"widget-{name}.png", target / f"widget-{name}.png")


def test_long_threads_load_in_pages(live_server, browser_page):
    from service.accounts.services import get_site
    from service.comments.models import Comment, Status, Thread
    from service.extensions import db

    with live_server.app.app_context():
        site_id = get_site("demo").id
        thread = Thread(site_id=site_id, uri="/demo", title="Demo")
        db.session.add(thread)
        db.session.flush()
        for n in range(55):
            db.session.add(
                Comment(
                    site_id=site_id,
                    thread_id=thread.id,
                    text=f"Comment number {n}",
                    html=f"<p>Comment number {n}</p>",
                    status=Status.APPROVED,
                )
            )
        db.session.commit()
    page = browser_page
    page.goto(f"{live_server.url}/demo/embedded")
    wait_for_widget(page, "55 comments")
    assert page.locator(".tb-c").count() == 50
    page.click(".tb button:has-text('Load more comments')")
    page.wait_for_function(
        "() => document.getElementById('talkback-thread').shadowRoot"
        ".querySelectorAll('.tb-c').length === 55"
    )
    assert page.locator(".tb button:has-text('Load more comments')").is_hidden()
    assert shadow_focus(page).startswith("tb-c")  # focus lands on the first new comment
    assert "Comment number 50" in page.inner_text(".tb-c:focus")


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "The website must start with http:// or https://."),
        ("de", "Die Website muss mit http:// oder https:// beginnen."),
        ("ar", "يجب أن يبدأ عنوان الموقع بـ http:// أو https://."),
    ],
)
def test_a_refused_comment_is_explained_in_the_readers_language(
    live_server, browser_page, lang, message
):
    page = browser_page
    page.goto(f"{live_server.url}/demo/embedded?lang={lang}")
    page.wait_for_selector(f"{FORM} textarea[name=text]")
    page.fill(f"{FORM} input[name=website]", "ftp://files.example.org")
    page.fill(f"{FORM} textarea[name=text]", "A comment with a strange website.")
    page.click(f"{FORM} button[type=submit]")
    alert = page.locator(f"{FORM} [role=alert]")
    alert.wait_for()
    page.wait_for_function(
        "() => document.getElementById('talkback-thread').shadowRoot"
        ".querySelector('[role=alert]').textContent.length > 0"
    )
    assert alert.inner_text() == message
    assert page.locator(f"{FORM} input[name=website]").get_attribute("aria-invalid") == "true"


def test_the_form_token_is_asked_for_when_the_form_gains_focus_not_with_the_thread(
    live_server, browser_page
):
    """The thread is the same for every reader, so it is cached; the token is per reader."""
    from service.comments.models import Comment
    from service.extensions import db

    page = browser_page
    page.goto(f"{live_server.url}/demo/embedded")
    wait_for_widget(page, "comment")

    def token_calls() -> list[str]:
        return [url for url in page.recorder.requests if "/form-token" in url]

    assert token_calls() == []  # reading costs no token
    page.click(f"{FORM} textarea[name=text]")
    page.fill(f"{FORM} textarea[name=text]", "Posted with a token asked for on focus.")
    page.click(f"{FORM} button.tb-pr")
    page.wait_for_selector(f"{PANEL}:has-text('Posted with a token asked for on focus.')")
    assert len(token_calls()) == 1
    with live_server.app.app_context():
        posted = db.session.query(Comment).order_by(Comment.id.desc()).first()
        assert posted.signals["form_token"] == "valid"


def test_the_share_menu_follows_its_data_attributes(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/demo")  # data-talkback-share="off": the page has its own
    wait_for_widget(page, "0 comments")
    assert page.locator(".tb .tb-sh").count() == 0

    html = (
        '<!doctype html><html lang="en"><head><title>Configured</title></head><body>'
        '<div id="talkback-thread" data-talkback-share-position="bottom"'
        ' data-talkback-share-networks="mastodon, bluesky"></div>'
        f'<script src="{live_server.url}/embed.js" data-talkback-site="demo" async></script>'
        "</body></html>"
    )
    page.route(
        f"{live_server.url}/configured",
        lambda route: route.fulfill(body=html, content_type="text/html"),
    )
    page.goto(f"{live_server.url}/configured")
    wait_for_widget(page, "0 comments")
    # At the bottom, after the comments; no X, since the networks list leaves it out.
    assert (
        page.evaluate(
            "[...document.getElementById('talkback-thread').shadowRoot.querySelector('.tb')"
            ".children].pop().className"
        )
        == "tb-sh"
    )
    assert page.locator(".tb-sh a.tb-xl").count() == 0
    page.click(".tb-sh button:has-text('Other apps')")
    page.wait_for_selector("ul.tb-sp a")
    assert sorted(page.locator("ul.tb-sp a").all_inner_texts()) == ["Bluesky", "Mastodon"]
    assert page.get_attribute("ul.tb-sp a >> nth=0", "href").startswith(
        f"{live_server.url}/s/demo/"
    )
