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
    assert "Approve: 1 comment(s)." in page.inner_text(".flashes")
    assert "Dana" not in authors_in_queue(page)

    # Bulk: tick Eli, Fay and Gus, reject them together.
    for comment_id in ids[2:5]:
        page.check(f"#c{comment_id} input.select")
    page.select_option("#bulk select[name=action]", "reject")
    with page.expect_navigation():
        page.click("#bulk button[type=submit]")
    assert "Reject: 3 comment(s)." in page.inner_text(".flashes")
    assert authors_in_queue(page) == ["Casino Bot", "Hana"]

    # u undoes the last action: the three rejected comments come back.
    with page.expect_navigation():
        page.keyboard.press("u")
    assert "Undo: 3 comment(s)." in page.inner_text(".flashes")
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
