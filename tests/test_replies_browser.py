"""The widget's "notify me of replies" box in headless Chromium: shown where the site offers
reply mails, sent with the e-mail, recorded as an unconfirmed subscription."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.accounts.services import get_site
from service.extensions import db
from service.replies.models import ReplySubscription

pytestmark = pytest.mark.browser

FORM = "form.tb-f"


def test_a_reader_asks_for_reply_mail_from_the_widget(live_server, page):
    page.goto(f"{live_server.url}/demo/embedded")
    page.wait_for_selector(f"{FORM} .tb-ck input[name=notify_replies]")
    page.fill(f"{FORM} input[name=email]", "reader@example.org")
    page.check(f"{FORM} input[name=notify_replies]")
    page.fill(f"{FORM} textarea[name=text]", "Tell me when someone answers.")
    page.click(f"{FORM} button[type=submit]")
    page.wait_for_selector(".tb-mine:has-text('Tell me when someone answers.')")

    assert not page.is_checked(f"{FORM} input[name=notify_replies]")
    with live_server.app.app_context():
        subscription = db.session.scalar(select(ReplySubscription))
        assert subscription.email == "reader@example.org"
        assert subscription.confirmed_at is None  # double opt-in: only a mail confirms it


def test_the_box_is_hidden_where_the_site_switched_reply_mail_off(live_server, page):
    with live_server.app.app_context():
        site = get_site("demo")
        site.settings = {**site.settings, "reply_notifications": False}
        db.session.commit()
    page.goto(f"{live_server.url}/demo/embedded")
    page.wait_for_selector(".tb h2:has-text('0 comments')")

    assert page.locator(f"{FORM} .tb-ck").is_hidden()
