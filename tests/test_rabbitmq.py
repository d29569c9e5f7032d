"""RabbitMQ as the broker: quorum queues, a real worker, retries by delayed delivery."""

from __future__ import annotations

import pytest

from service.comments.models import Comment, Status
from service.extensions import db
from tests import support
from tests.conftest import integration_app

pytestmark = pytest.mark.integration

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"


@pytest.fixture
def rabbit_env(integration_env, pg_app):
    if not support.port_open("127.0.0.1", 5672):
        support.unavailable("RabbitMQ is not answering on 127.0.0.1:5672")
    env = {
        **integration_env,
        "CELERY_BROKER_URL": RABBITMQ_URL,
        "TALKBACK_QUEUE": support.unique_name("talkback_amqp"),
    }
    yield env
    app = integration_app(env)
    with app.extensions["celery"].connection_for_write() as connection:
        connection.default_channel.queue_delete(env["TALKBACK_QUEUE"])


def test_the_queue_is_a_quorum_queue_and_a_comment_is_processed(rabbit_env, tmp_path):
    from service.accounts import services as accounts

    app = integration_app(rabbit_env)
    with app.app_context():
        slug = support.unique_name("rabbit").replace("_", "-")
        accounts.create_site(slug, "Rabbit", [])
    worker = support.start_worker(rabbit_env, beat=True, log_path=tmp_path / "worker.log")
    try:
        response = app.test_client().post(
            f"/api/v1/sites/{slug}/comments", json={"uri": "/r", "text": "Via RabbitMQ"}
        )
        assert response.status_code == 202
        comment_id = response.get_json()["id"]

        def status() -> str:
            with app.app_context():
                return db.session.get(Comment, comment_id).status

        support.wait_for(lambda: status() == Status.PENDING, timeout=60)
        with app.extensions["celery"].connection_for_read() as connection:
            # Declaring it again as classic would fail: RabbitMQ refuses a changed type.
            channel = connection.channel()
            with pytest.raises(connection.channel_errors, match="x-queue-type"):
                channel.queue_declare(rabbit_env["TALKBACK_QUEUE"], durable=True, auto_delete=False)
    finally:
        support.stop_process(worker)
        if worker.returncode not in (0, -15):
            print((tmp_path / "worker.log").read_text())
