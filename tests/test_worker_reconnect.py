"""The worker retries a lost broker every few hundred milliseconds, not with Celery's 30 s back-off."""

from __future__ import annotations

from kombu import Connection

from tests import support
from workers.consumer import QuickReconnectConsumer


def reconnect_options(celery) -> dict:
    consumer = QuickReconnectConsumer.__new__(QuickReconnectConsumer)
    consumer.app = celery
    consumer.first_connection_attempt = False
    consumer.broker_connection_retry_attempt = 0
    connection = Connection("redis://127.0.0.1:1/0")
    calls = []
    connection.ensure_connection = lambda *args, **options: calls.append(options) or connection
    consumer.ensure_connected(connection)
    return calls[0]


def test_the_reconnect_back_off_is_capped_by_the_configured_ceiling(tmp_path):
    app = support.testing_app(tmp_path, BROKER_RECONNECT_MAX_SECONDS=2)
    options = reconnect_options(app.extensions["celery"])
    assert options["interval_start"] == 0.5
    assert options["interval_step"] == 0.5
    assert options["interval_max"] == 2.0


def test_the_worker_app_uses_the_quick_consumer():
    from workers.celery_app import celery

    assert celery.conf.worker_consumer == "workers.consumer:QuickReconnectConsumer"
