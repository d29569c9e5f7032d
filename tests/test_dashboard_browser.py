"""The dashboard in headless Chromium: sign in, clear the queue by keyboard and in bulk, undo.

Set TALKBACK_SCREENSHOTS=docs/screenshots to also save the queue and rules screenshots.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from service.accounts import passwords
from service.accounts.services import get_site
from service.comments.models import Comment, Status, Thread
from service.extensions import db
from tests.moderator_forms import PASSWORD

pytestmark = pytest.mark.browser

URI = "/2026/11/moderation-matters"
COMMENTS = [
    # (author, text, spam score, reasons)
    (
        "Casino Bot",
        "Win big at http://casino.example and http://casino.example/bonus",
        0.82,
        [{"code": "many_links", "weight": 0.5, "detail": "The comment contains 2 links."}],
    ),
    (
        "Dana",
        "The second chart contradicts the first one; which is right?",
        0.31,
        [{"code": "one_link", "weight": 0.1, "detail": "The comment contains a link."}],
    ),
    ("Eli", "Great write-up, thank you.", 0.12, []),
    ("Fay", "Could you share the data set behind the graph?", 0.08, []),
    ("Gus", "First!", 0.05, []),
    ("Hana", "I disagree with the conclusion, for three reasons.", 0.02, []),
]


def seed(app) -> list[int]:
    with app.app_context():
        owner = passwords.find_moderator("owner@example.org")
        passwords.set_password(owner, PASSWORD)
        thread = Thread(site_id=get_site("demo").id, uri=URI, title="Why moderation matters")
        db.session.add(thread)
        db.session.flush()
        ids = []
        for index, (author, text, score, reasons) in enumerate(COMMENTS):
            comment = Comment(
                site_id=thread.site_id,
                thread_id=thread.id,
                author_name=author,
                email=f"{author.split()[0].lower()}@example.net",
                text=text,
                html=f"<p>{text}</p>",
                status=Status.PENDING,
                spam_score=score,
                spam_reasons=reasons,
                ip=f"203.0.113.{index}",
                user_agent="test",
            )
            db.session.add(comment)
            db.session.flush()
            ids.append(comment.id)
        db.session.commit()
        return ids


def authors_in_queue(page) -> list[str]:
    return page.locator("#queue .comment .author-name").all_inner_texts()


def screenshot(page, name: str) -> None:
    folder = os.environ.get("TALKBACK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_moderator_clears_the_queue_with_keyboard_bulk_and_undo(live_server, page):
    ids = seed(live_server.app)
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{live_server.url}/moderate/queue")
    assert "/moderate/login" in page.url
    page.fill("#email", "owner@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.url.endswith("/moderate/queue")
    assert authors_in_queue(page) == [author for author, *_ in COMMENTS]
    assert "The comment contains 2 links." in page.inner_text("#queue")
    screenshot(page, "queue.png")

    # Keyboard: j moves to Dana (second), a approves her comment.
    page.keyboard.press("j")
    assert page.get_attribute(f"#c{ids[1]}", "class") == "comment current"
    with page.expect_navigation():
        page.keyboard.press("a")
    assert "Approve: 1 comment." in page.inner_text(".flashes")
    assert "Dana" not in authors_in_queue(page)

    # Bulk: tick Eli, Fay and Gus, reject them together.
    for comment_id in ids[2:5]:
        page.check(f"#c{comment_id} input.select")
    page.select_option("#bulk select[name=action]", "reject")
    with page.expect_navigation():
        page.click("#bulk button[type=submit]")
    assert "Reject: 3 comments." in page.inner_text(".flashes")
    assert authors_in_queue(page) == ["Casino Bot", "Hana"]

    # u undoes the last action: the three rejected comments come back.
    with page.expect_navigation():
        page.keyboard.press("u")
    assert "Undo: 3 comments." in page.inner_text(".flashes")
    assert authors_in_queue(page) == ["Casino Bot", "Eli", "Fay", "Gus", "Hana"]

    thread = page.request.get(f"{live_server.url}/api/v1/sites/demo/threads?uri={URI}").json()
    assert [c["id"] for c in thread["comments"]] == [ids[1]]
    assert thread["comments"][0]["author"] == "Dana"

    page.click("text=Audit log")
    audit = page.inner_text("#audit")
    assert audit.count("pending → approved") == 1
    assert audit.count("pending → rejected") == 3
    assert audit.count("rejected → pending") == 3
    assert len(re.findall(r"owner@example\.org", audit)) == 7


def test_rules_page_dry_run_in_the_browser(live_server, page):
    seed(live_server.app)
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{live_server.url}/moderate/login?next=/moderate/sites/demo/rules")
    page.fill("#email", "owner@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    page.select_option("#rule-kind", "domain")
    page.fill("#rule-pattern", "casino.example")
    with page.expect_navigation():
        page.click("#rule-form button[type=submit]")
    assert "It would have caught 1 of the last 6 comments." in page.inner_text("#dry-run-summary")
    screenshot(page, "rules.png")
    with page.expect_navigation():
        page.click("#save-rule")
    assert "casino.example" in page.inner_text("#rules")


def sign_in(live_server, page, next_url: str = "/moderate/queue") -> None:
    page.goto(f"{live_server.url}/moderate/login?next={next_url}")
    page.fill("#email", "owner@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("width", [1200, 390])
def test_a_5000_character_word_does_not_widen_the_queue(live_server, page, width):
    seed(live_server.app)
    word = "x" * 5000
    with live_server.app.app_context():
        comment = db.session.scalar(db.select(Comment).where(Comment.author_name == "Gus"))
        comment.text = comment.html = word
        comment.html = f"<p>{word}</p>"
        comment.author_name = "Gus" + "y" * 300
        comment.website = "https://" + "z" * 400 + ".example"
        db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(live_server, page)
    assert word in page.inner_text("#queue")
    scroll_width, viewport = page_width(page)
    assert scroll_width <= viewport, f"the queue is {scroll_width}px wide in a {viewport}px window"


def test_the_dashboard_at_390_px_and_in_dark_mode(live_server, page):
    """One column on a phone, dark when the system is; screenshots for docs/dashboard.md."""
    seed(live_server.app)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(live_server, page)
    assert page_width(page)[0] <= 390
    # Author details stay label/value pairs, not one letter per line.
    name_box = page.locator("#queue .comment .author-name").first.bounding_box()
    assert name_box["width"] > 60
    screenshot(page, "dashboard-390.png")

    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.reload()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    card = page.evaluate(
        "getComputedStyle(document.querySelector('#queue .comment')).backgroundColor"
    )
    assert background == "rgb(17, 20, 24)" and card == "rgb(27, 31, 36)"
    screenshot(page, "dashboard-dark.png")
    page.goto(f"{live_server.url}/moderate/sites/")
    assert page_width(page)[0] <= 1200
    screenshot(page, "sites-dark.png")
