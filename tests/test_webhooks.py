"""Per-site webhooks: signed JSON to a real local HTTP receiver, retries, and the SSRF guard."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service import outbound, queue
from service.comments.models import Status
from service.extensions import db
from service.moderation import pipeline
from service.moderation import services as moderation
from service.notifications import webhooks
from tests.support import free_port

SECRET = "whsec-test"


class Receiver:
    """An HTTP server in a thread that records POSTs and answers with scripted statuses."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []  # consumed one per request; 204 once empty
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's method name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.url = f"http://127.0.0.1:{self.port}/hooks/talkback"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app, site):
    """The site's webhook points at the receiver; private addresses allowed, as in a test."""
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    with Receiver() as running:
        site.settings = {"webhook_url": running.url, "webhook_secret": SECRET}
        db.session.commit()
        yield running


@pytest.fixture
def moderator(site, make_moderator):
    return make_moderator(site)[0]


def verify(headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does, written independently of service code."""
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Talkback-Signature"])


def test_approving_a_comment_posts_a_signed_event(receiver, site, moderator, make_comment):
    comment = make_comment(site, "Nice post", author_name="Ann")
    moderation.moderate(comment, Status.APPROVED, moderator)

    ((headers, body),) = receiver.requests
    assert verify(headers, body)
    assert headers["X-Talkback-Event"] == "comment.approved"
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Talkback-Delivery"] == f"comment.approved:{comment.id}"
    sent = json.loads(body)
    assert sent["event"] == "comment.approved" and sent["site"] == "blog"
    assert sent["comment"]["id"] == comment.id
    assert sent["comment"]["thread"]["uri"] == "/post"
    assert sent["comment"]["author"] == "Ann"
    assert sent["comment"]["html"] == "<p>Nice post</p>"
    assert sent["comment"]["status"] == "approved"
    assert sent["comment"]["created"].endswith("+00:00")


def test_a_comment_held_for_review_posts_a_new_event(receiver, site, make_comment):
    comment = make_comment(site, "Held for review", status=Status.RECEIVED)
    assert pipeline.process_comment(comment.id) == Status.PENDING
    ((headers, body),) = receiver.requests
    assert headers["X-Talkback-Event"] == "comment.new"
    assert json.loads(body)["comment"]["status"] == "pending"
    assert verify(headers, body)


def test_a_changed_body_fails_verification(receiver, site, moderator, make_comment):
    moderation.moderate(make_comment(site), Status.APPROVED, moderator)
    ((headers, body),) = receiver.requests
    assert not verify(headers, body.replace(b"approved", b"rejected"))


def test_rejections_and_sites_without_a_webhook_send_nothing(
    receiver, site, make_site, moderator, make_moderator, make_comment
):
    moderation.moderate(make_comment(site), Status.REJECTED, moderator)
    quiet = make_site("quiet")
    other = make_moderator(quiet, "other@example.org")[0]
    moderation.moderate(make_comment(quiet), Status.APPROVED, other)
    assert receiver.requests == []
    assert webhooks.deliver(quiet.id, webhooks.COMMENT_APPROVED, 1) is None


def test_a_server_error_is_retryable_and_the_task_retries_until_delivered(
    app, receiver, site, make_comment
):
    comment = make_comment(site)
    receiver.statuses = [500]
    with pytest.raises(webhooks.WebhookRetryable):
        webhooks.deliver(site.id, webhooks.COMMENT_NEW, comment.id)

    receiver.statuses = [503, 502]
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    task = celery.tasks[queue.DELIVER_WEBHOOK]
    # Applied locally, Celery's autoretry runs each retry at once instead of after the backoff.
    result = task.apply(args=(site.id, webhooks.COMMENT_NEW, comment.id), throw=False)
    assert result.successful() and result.result == 204
    deliveries = [h["X-Talkback-Delivery"] for h, _ in receiver.requests]
    assert deliveries == [f"comment.new:{comment.id}"] * 4
    assert webhooks.WebhookRetryable in task.autoretry_for
    assert task.retry_backoff and task.max_retries >= 5


def test_a_client_error_is_final(receiver, site, make_comment):
    receiver.statuses = [410]
    status = webhooks.deliver(site.id, webhooks.COMMENT_NEW, make_comment(site).id)
    assert status == 410
    assert len(receiver.requests) == 1


def test_an_unreachable_receiver_is_retryable(app, site, make_comment):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    site.settings = {"webhook_url": f"http://127.0.0.1:{free_port()}/", "webhook_secret": "x"}
    db.session.commit()
    with pytest.raises(webhooks.WebhookRetryable):
        webhooks.deliver(site.id, webhooks.COMMENT_NEW, make_comment(site).id)


def test_loopback_is_refused_unless_private_addresses_are_allowed(
    app, receiver, site, make_comment
):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    comment = make_comment(site)
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.deliver(site.id, webhooks.COMMENT_NEW, comment.id)
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "file:///etc/passwd",
        "http:///no-host",
        "http://localhost/hook",
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:192.168.0.1]/hook",
        "http://example.org:99999/hook",
        "http://[::1/hook",  # stored before the settings form checked brackets
    ],
)
def test_the_ssrf_guard_refuses(url):
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.check_url(url, allow_private=False)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1::1", True),
        ("192.168.1.10", False),
        ("100.64.0.1", False),
        ("fe80::1%eth0", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
    ],
)
def test_public_addresses_are_told_apart_from_private_ones(address, public):
    assert outbound.is_public_address(address) is public


def test_signature_matches_the_documented_recipe():
    body = b'{"event":"comment.new"}'
    digest = hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert webhooks.sign(body, "k") == f"sha256={digest}"
