"""Reader reply notifications end to end, against a real local SMTP server (aiosmtpd):
no mail before approval, none without confirmed opt-in, unsubscribe by link and by the
RFC 8058 one-click POST, the per-site switch, and addresses that bounce."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from service.comments.models import Comment, Status
from service.extensions import db
from service.moderation import services as moderation
from service.replies import services as replies
from service.replies.models import ReplySubscription, SuppressedAddress
from tests.mail_sink import Inbox, smtp_inbox

PUBLIC_URL = "https://talk.example"
REPLIES_LINK = re.compile(re.escape(PUBLIC_URL) + r"(/replies/(?:confirm|unsubscribe)/\S+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DEAD = "gone@example.org"


class RefusingInbox(Inbox):
    """Keeps every message; refuses DEAD at RCPT with a permanent 550."""

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address == DEAD:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def sink(app):
    with smtp_inbox(app, RefusingInbox()) as handler:
        yield handler


@pytest.fixture
def owner(site, make_moderator):
    return make_moderator(site, "owner@example.org", "owner")[0]


def post(client, text: str, **fields) -> Comment:
    body = {"uri": "/post", "text": text, **fields}
    answer = client.post("/api/v1/sites/blog/comments", json=body)
    assert answer.status_code == 202, answer.get_json()
    return db.session.get(Comment, answer.get_json()["id"])


def approve(comment: Comment, owner) -> None:
    comment = db.session.get(Comment, comment.id, populate_existing=True)
    moderation.moderate(comment, Status.APPROVED, owner)


def link(message, kind: str) -> str:
    paths = [
        p for p in REPLIES_LINK.findall(message.get_body(("plain",)).get_content()) if kind in p
    ]
    assert paths, message
    return paths[0]


def test_mail_only_after_approval_and_confirmed_opt_in_then_one_click_unsubscribe(
    client, sink, site, owner
):
    mine = post(client, "My question", author="Ann", email="ann@example.org", notify_replies=True)
    assert sink.to("ann@example.org") == []  # nothing before the comment is published

    approve(mine, owner)
    (confirmation,) = sink.to("ann@example.org")
    assert "Confirm reply notifications" in confirmation["Subject"]
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    early = post(client, "Early answer", author="Bob", parent_id=mine.id)
    approve(early, owner)
    assert len(sink.to("ann@example.org")) == 1  # not confirmed yet: no reply notice

    confirm_path = link(confirmation, "/confirm/")
    page = client.get(confirm_path)
    assert (
        page.status_code == 200
        and db.session.scalar(select(ReplySubscription.confirmed_at)) is None
    )  # opening the link changes nothing
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    assert client.post(confirm_path, data={"csrf_token": token}).status_code == 200

    answer = post(client, "A real answer", author="Bob", email="bob@example.org", parent_id=mine.id)
    assert len(sink.to("ann@example.org")) == 1  # still pending: no notice
    approve(answer, owner)
    notice = sink.to("ann@example.org")[-1]
    assert "New reply to your comment" in notice["Subject"]
    assert "A real answer" in notice.get_body(("plain",)).get_content()
    unsubscribe_url = notice["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith(f"{PUBLIC_URL}/replies/unsubscribe/")

    replies.on_published(answer.id)  # a redelivered task
    assert len(sink.to("ann@example.org")) == 2

    one_click = client.post(
        unsubscribe_url.removeprefix(PUBLIC_URL),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ReplySubscription)) == 0
    approve(post(client, "Another answer", author="Cy", parent_id=mine.id), owner)
    assert len(sink.to("ann@example.org")) == 2
    # The same link again (the reader clicks it after the mail client did) is fine.
    assert client.post(unsubscribe_url.removeprefix(PUBLIC_URL)).status_code == 200


def test_unsubscribe_from_the_link_in_the_mail(client, sink, site, owner):
    mine = post(client, "Question", email="dee@example.org", notify_replies=True)
    approve(mine, owner)
    unsubscribe_path = link(sink.to("dee@example.org")[0], "/unsubscribe/")

    page = client.get(unsubscribe_path)
    assert "Stop reply notifications?" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ReplySubscription)) == 1
    client.post(unsubscribe_path)

    assert db.session.scalar(select(func.count()).select_from(ReplySubscription)) == 0
    assert "Already unsubscribed" in client.get(unsubscribe_path).get_data(as_text=True)


def test_a_tampered_link_is_refused_with_a_page(client, sink, site, owner):
    mine = post(client, "Question", email="eve@example.org", notify_replies=True)
    approve(mine, owner)
    confirm_path = link(sink.to("eve@example.org")[0], "/confirm/")

    assert client.get(confirm_path[:-3] + "xyz").status_code == 400
    assert client.post("/replies/unsubscribe/not-a-token").status_code == 400


def test_a_permanent_smtp_failure_stops_mail_to_that_address(client, sink, site, owner):
    mine = post(client, "Question", email=DEAD, notify_replies=True)
    approve(mine, owner)

    assert sink.to(DEAD) == []
    assert db.session.scalar(select(SuppressedAddress.reason)).startswith("550")
    db.session.execute(ReplySubscription.__table__.update().values(confirmation_sent_at=None))
    db.session.commit()
    assert replies.on_published(mine.id) == 0  # suppressed: not even tried


def test_the_per_site_switch_and_the_email_requirement(client, sink, site, owner):
    needs_email = client.post(
        "/api/v1/sites/blog/comments", json={"uri": "/post", "text": "hi", "notify_replies": True}
    )
    assert needs_email.get_json()["error"]["code"] == "email_required"
    assert client.get("/api/v1/sites/blog/threads?uri=/post").get_json()["reply_notifications"]

    site.settings = {**site.settings, "reply_notifications": False}
    db.session.commit()
    mine = post(client, "Question", email="fay@example.org", notify_replies=True)
    approve(mine, owner)

    assert sink.to("fay@example.org") == []
    assert db.session.scalar(select(func.count()).select_from(ReplySubscription)) == 0
    assert not client.get("/api/v1/sites/blog/threads?uri=/post").get_json()["reply_notifications"]


def test_the_no_js_form_offers_the_box_and_subscribes(client, make_site):
    make_site("demo", origins=["http://localhost"])
    page = client.get("/demo").get_data(as_text=True)
    assert 'name="notify_replies"' in page
    form = {
        "text": "Plain form comment",
        "email": "gil@example.org",
        "notify_replies": "on",
        "csrf_token": CSRF.search(page).group(1),
    }

    assert client.post("/demo/comments", data=form).status_code == 303

    subscription = db.session.scalar(select(ReplySubscription))
    assert subscription.email == "gil@example.org" and subscription.confirmed_at is None


def test_on_a_site_that_publishes_at_once_the_confirmation_goes_out_at_once(client, sink, site):
    site.moderation_policy = "post_moderation"
    db.session.commit()

    mine = post(client, "Published at once", email="hal@example.org", notify_replies=True)

    assert db.session.get(Comment, mine.id).status == Status.APPROVED
    (confirmation,) = sink.to("hal@example.org")
    assert "Confirm reply notifications" in confirmation["Subject"]
