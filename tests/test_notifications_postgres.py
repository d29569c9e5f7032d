"""On PostgreSQL (migrated by Alembic): concurrent deliveries of one notification mail once."""

from __future__ import annotations

import asyncio
import threading

import pytest
from aiosmtpd.controller import Controller

from service.accounts import services as accounts
from service.comments.models import Comment, Status, Thread
from service.extensions import db
from service.notifications import services as notifications
from tests import support
from tests.conftest import integration_app
from tests.mail_sink import Inbox

pytestmark = pytest.mark.integration


class SlowInbox(Inbox):
    """Holds each message a moment, so a duplicate task really overlaps the first."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


def test_two_workers_delivering_the_same_notification_mail_each_moderator_once(
    pg_app, integration_env
):
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=support.free_port())
    controller.start()
    # A separate app on the same database, so the session-wide pg_app keeps its settings.
    app = integration_app(integration_env)
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, PUBLIC_URL="https://tb.example"
    )
    with app.app_context():
        site = accounts.create_site(support.unique_name("notify").replace("_", "-"), "Race")
        emails = [f"{site.slug}-{n}@example.org" for n in range(3)]
        for email in emails:
            accounts.grant_role(accounts.get_or_create_moderator(email), site)
        thread = Thread(site_id=site.id, uri="/race", title="Race")
        db.session.add(thread)
        db.session.flush()
        comment = Comment(
            site_id=site.id,
            thread_id=thread.id,
            text="Twice?",
            html="<p>Twice?</p>",
            status=Status.PENDING,
            spam_reasons=[],
            signals={},
        )
        db.session.add(comment)
        db.session.commit()
        comment_id = comment.id

    sent: list[int] = []

    def deliver() -> None:
        with app.app_context():
            sent.append(notifications.notify_new_comment(comment_id))
            db.session.remove()

    workers = [threading.Thread(target=deliver) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
    finally:
        controller.stop()
    assert len(sent) == 2, "a delivery failed instead of finding the mail already sent"
    assert sum(sent) == 3
    assert sorted(m["To"] for m in inbox.messages) == sorted(emails)
