"""New-comment e-mails and their approve/reject links, against a real local SMTP server."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from service import queue
from service.accounts import services as accounts
from service.accounts.models import SiteMembership
from service.comments.models import Comment, Status
from service.extensions import db
from service.moderation import pipeline
from service.moderation import services as moderation
from service.moderation.models import ModerationEvent
from service.notifications import action_links
from service.notifications import services as notifications
from service.notifications.models import NotificationLog, NotifyMode
from tests.mail_sink import Inbox
from tests.moderator_forms import CSRF_RE
from tests.support import free_port, wait_for

PUBLIC_URL = "https://talkback.example"
LINK_RE = re.compile(re.escape(PUBLIC_URL) + r"(/moderate/email-action/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def inbox(app):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_URL=PUBLIC_URL)
    yield handler
    controller.stop()


@pytest.fixture
def moderator(site, make_moderator):
    return make_moderator(site, "alice@example.org")[0]


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def links_in(message: EmailMessage) -> list[str]:
    """The approve/reject paths in the plain-text part, in order."""
    return LINK_RE.findall(text_of(message))


def mail_links(inbox: Inbox, comment: Comment, address: str = "alice@example.org"):
    notifications.notify_new_comment(comment.id)
    approve, reject = links_in(inbox.to(address)[-1])
    return approve, reject


def csrf_from(page: bytes) -> str:
    return CSRF_RE.search(page.decode()).group(1)


def status_of(comment_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Comment, comment_id).status


# --- immediate notifications ----------------------------------------------------------------


def test_a_comment_held_by_the_pipeline_is_mailed_to_the_sites_moderator(
    inbox, site, moderator, make_comment
):
    comment = make_comment(site, "Is this **held**?", status=Status.RECEIVED)
    assert pipeline.process_comment(comment.id) == Status.PENDING
    wait_for(lambda: inbox.messages, timeout=5)
    (message,) = inbox.to("alice@example.org")
    assert message["Subject"] == "[Blog] New comment on Post /post"
    body = text_of(message)
    assert "Is this **held**?" in body
    assert re.search(r"Approve: https://talkback\.example/moderate/email-action/\S+", body)
    assert re.search(r"Reject:  https://talkback\.example/moderate/email-action/\S+", body)
    html = message.get_body(("html",)).get_content()
    assert "<strong>held</strong>" in html


def test_a_redelivered_notification_task_sends_nothing_more(inbox, site, moderator, make_comment):
    comment = make_comment(site)
    queue.send(queue.NOTIFY_NEW_COMMENT, comment.id)
    queue.send(queue.NOTIFY_NEW_COMMENT, comment.id)
    assert len(inbox.messages) == 1
    assert db.session.scalar(select(db.func.count(NotificationLog.id))) == 1


def test_only_this_sites_immediate_mode_moderators_are_mailed(
    inbox, site, make_site, make_moderator, make_comment
):
    make_moderator(site, "now@example.org")
    quiet = make_moderator(site, "quiet@example.org")[0]
    daily = make_moderator(site, "daily@example.org")[0]
    make_moderator(make_site("other"), "elsewhere@example.org")
    notifications.set_notification_mode(quiet, site, NotifyMode.OFF)
    notifications.set_notification_mode(daily, site, NotifyMode.DIGEST)

    assert notifications.notify_new_comment(make_comment(site).id) == 1
    assert [m["To"] for m in inbox.messages] == ["now@example.org"]


def test_an_unknown_notification_mode_is_refused(site, moderator):
    with pytest.raises(notifications.ValidationError) as error:
        notifications.set_notification_mode(moderator, site, "hourly")
    assert error.value.code == "invalid_mode"


def test_a_comment_decided_before_the_task_runs_is_not_mailed(inbox, site, moderator, make_comment):
    comment = make_comment(site, status=Status.APPROVED)
    assert notifications.notify_new_comment(comment.id) == 0
    assert inbox.messages == []


def test_an_unreachable_mail_server_leaves_the_notification_for_the_retry(
    app, inbox, site, moderator, make_comment
):
    comment = make_comment(site)
    working_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    with pytest.raises(OSError):
        notifications.notify_new_comment(comment.id)
    assert db.session.scalar(select(db.func.count(NotificationLog.id))) == 0

    app.config["MAIL_PORT"] = working_port
    assert notifications.notify_new_comment(comment.id) == 1
    assert len(inbox.messages) == 1


# --- daily digest ---------------------------------------------------------------------------


def test_the_digest_lists_each_waiting_comment_once(
    inbox, site, make_site, moderator, make_comment
):
    notifications.set_notification_mode(moderator, site, NotifyMode.DIGEST)
    first = make_comment(site, "First waiting comment.")
    second = make_comment(site, "Second waiting comment.", uri="/other")
    make_comment(site, "Already published.", status=Status.APPROVED)
    make_comment(make_site("foreign"), "Not my site.")

    assert queue.send(queue.SEND_DAILY_DIGESTS)
    (digest,) = inbox.to("alice@example.org")
    body = text_of(digest)
    assert "2 comment(s) awaiting review" in body
    assert "First waiting comment." in body and "Second waiting comment." in body
    assert "Already published." not in body and "Not my site." not in body
    assert len(links_in(digest)) == 4

    assert notifications.send_daily_digests() == 0
    third = make_comment(site, "Arrived after the digest.")
    assert notifications.send_daily_digests() == 1
    later = text_of(inbox.to("alice@example.org")[-1])
    assert "Arrived after the digest." in later and "First waiting comment." not in later
    assert {first.id, second.id, third.id} == set(
        db.session.scalars(
            select(NotificationLog.comment_id).where(NotificationLog.kind == "digest")
        )
    )


def test_digest_links_act_like_immediate_ones(client, inbox, site, moderator, make_comment):
    notifications.set_notification_mode(moderator, site, NotifyMode.DIGEST)
    comment = make_comment(site)
    notifications.send_daily_digests()
    approve, _ = links_in(inbox.messages[0])
    page = client.get(approve)
    response = client.post(approve, data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 200
    assert status_of(comment.id) == Status.APPROVED


# --- the links ------------------------------------------------------------------------------


def test_opening_a_link_only_asks_for_confirmation(client, inbox, site, moderator, make_comment):
    comment = make_comment(site, "Please approve me.")
    approve, _ = mail_links(inbox, comment)
    response = client.get(approve)
    assert response.status_code == 200
    page = response.data.decode()
    assert "Approve this comment?" in page
    assert "Please approve me." in page
    assert 'method="post"' in page and "csrf_token" in page
    assert status_of(comment.id) == Status.PENDING
    assert db.session.query(ModerationEvent).count() == 0


def test_confirming_without_the_csrf_token_changes_nothing(
    client, inbox, site, moderator, make_comment
):
    comment = make_comment(site)
    approve, _ = mail_links(inbox, comment)
    client.get(approve)
    response = client.post(approve, data={})
    assert response.status_code == 400
    assert "Nothing was changed" in response.data.decode()
    assert status_of(comment.id) == Status.PENDING


def test_confirming_approves_as_the_mailed_moderator_and_records_it(
    client, inbox, site, moderator, make_comment
):
    comment = make_comment(site)
    approve, _ = mail_links(inbox, comment)
    page = client.get(approve)
    response = client.post(approve, data={"csrf_token": csrf_from(page.data)})
    assert response.status_code == 200
    assert "Comment approved" in response.data.decode()
    assert status_of(comment.id) == Status.APPROVED
    event = db.session.scalars(select(ModerationEvent)).one()
    assert (event.actor_id, event.from_status, event.to_status, event.reason) == (
        moderator.id,
        Status.PENDING,
        Status.APPROVED,
        "via e-mail link",
    )


def test_the_reject_link_rejects(client, inbox, site, moderator, make_comment):
    comment = make_comment(site)
    _, reject = mail_links(inbox, comment)
    page = client.get(reject)
    assert "Reject this comment?" in page.data.decode()
    client.post(reject, data={"csrf_token": csrf_from(page.data)})
    assert status_of(comment.id) == Status.REJECTED


def test_a_used_link_and_its_sibling_are_refused(client, inbox, site, moderator, make_comment):
    comment = make_comment(site)
    approve, reject = mail_links(inbox, comment)
    token = csrf_from(client.get(approve).data)
    assert client.post(approve, data={"csrf_token": token}).status_code == 200
    # A moderator who later moves the comment back to pending still cannot replay the mail.
    moderation.moderate(db.session.get(Comment, comment.id), Status.PENDING, moderator)

    for link in (approve, reject):
        again = client.get(link)
        assert again.status_code == 410
        assert "already been used" in again.data.decode()
    replay = client.post(approve, data={"csrf_token": token})
    assert replay.status_code == 410
    assert status_of(comment.id) == Status.PENDING


def test_an_expired_link_is_refused(client, app, inbox, site, moderator, make_comment, monkeypatch):
    comment = make_comment(site)
    approve, _ = mail_links(inbox, comment)
    eight_days_later = int(time.time()) + 8 * 86400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: eight_days_later)
    response = client.get(approve)
    assert response.status_code == 410
    page = response.data.decode()
    assert "This link has expired" in page and "7 day(s)" in page
    assert status_of(comment.id) == Status.PENDING


def test_a_shorter_configured_lifetime_applies(client, app, inbox, site, moderator, make_comment):
    app.config["ACTION_LINK_MAX_AGE_SECONDS"] = 3600
    approve, _ = mail_links(inbox, make_comment(site))
    assert client.get(approve).status_code == 200
    app.config["ACTION_LINK_MAX_AGE_SECONDS"] = -1
    assert client.get(approve).status_code == 410


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace(".", "x.", 1),
        lambda token: "not-a-token",
    ],
    ids=["signature", "payload", "garbage"],
)
def test_a_tampered_link_is_refused(client, inbox, site, moderator, make_comment, tamper):
    comment = make_comment(site)
    approve, _ = mail_links(inbox, comment)
    prefix, token = approve.rsplit("/", 1)
    response = client.get(f"{prefix}/{tamper(token)}")
    assert response.status_code == 400
    assert "This link is not valid" in response.data.decode()
    assert status_of(comment.id) == Status.PENDING


def test_a_link_signed_with_another_secret_is_refused(client, app, site, moderator, make_comment):
    comment = make_comment(site)
    app.config["SECRET_KEY"] = "someone-elses-secret"
    forged = action_links.make_action_token(comment.id, "approve", moderator.id, "n0nce")
    app.config["SECRET_KEY"] = "testing-secret"
    assert client.get(f"/moderate/email-action/{forged}").status_code == 400


def test_a_link_stops_working_when_the_moderator_leaves_the_site(
    client, inbox, site, moderator, make_comment
):
    comment = make_comment(site)
    approve, _ = mail_links(inbox, comment)
    token = csrf_from(client.get(approve).data)
    db.session.query(SiteMembership).filter_by(moderator_id=moderator.id).delete()
    db.session.commit()

    response = client.post(approve, data={"csrf_token": token})
    assert response.status_code == 403
    assert "You no longer moderate this site" in response.data.decode()
    assert client.get(approve).status_code == 403
    assert status_of(comment.id) == Status.PENDING


def test_a_link_for_a_disabled_moderator_is_refused(client, inbox, site, moderator, make_comment):
    approve, _ = mail_links(inbox, make_comment(site))
    moderator.is_active = False
    db.session.commit()
    assert client.get(approve).status_code == 403


def test_a_link_to_an_already_decided_comment_explains_instead_of_failing(
    client, inbox, site, moderator, make_comment, make_moderator
):
    comment = make_comment(site)
    _, reject = mail_links(inbox, comment)
    colleague = make_moderator(site, "bob@example.org")[0]
    moderation.moderate(comment, Status.APPROVED, colleague, "looks fine")

    response = client.get(reject)
    assert response.status_code == 409
    assert "The comment is already approved" in response.data.decode()
    assert status_of(comment.id) == Status.APPROVED


def test_a_link_to_a_deleted_comment_says_it_is_gone(client, inbox, site, moderator, make_comment):
    comment = make_comment(site)
    approve, _ = mail_links(inbox, comment)
    db.session.delete(comment)
    db.session.commit()
    response = client.get(approve)
    assert response.status_code == 410
    assert "The comment is gone" in response.data.decode()


def test_without_a_public_url_links_use_the_requests_host(app, site, moderator, make_comment):
    comment = make_comment(site)
    app.config["PUBLIC_URL"] = ""
    with app.test_request_context(base_url="http://comments.blog.example"):
        urls = action_links.action_urls(comment.id, moderator.id)
    assert urls["approve"].startswith("http://comments.blog.example/moderate/email-action/")
    app.config["PUBLIC_URL"] = "https://example.org/talkback/"
    urls = action_links.action_urls(comment.id, moderator.id)
    assert urls["reject"].startswith("https://example.org/talkback/moderate/email-action/")


def test_every_mail_gets_its_own_nonce(app, site, moderator, make_comment):
    app.config["PUBLIC_URL"] = PUBLIC_URL
    comment = make_comment(site)
    first = action_links.action_urls(comment.id, moderator.id)
    second = action_links.action_urls(comment.id, moderator.id)
    assert first["approve"] != second["approve"]


def test_grants_for_another_site_do_not_open_this_sites_links(
    client, inbox, site, make_site, moderator, make_comment
):
    """A moderator removed from `blog` but still on `other` is refused on blog's comments."""
    accounts.grant_role(moderator, make_site("other"))
    approve, _ = mail_links(inbox, make_comment(site))
    db.session.query(SiteMembership).filter_by(moderator_id=moderator.id, site_id=site.id).delete()
    db.session.commit()
    assert client.get(approve).status_code == 403
