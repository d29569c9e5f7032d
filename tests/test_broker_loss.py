"""Losing Redis while the worker holds unacknowledged messages must not kill the worker."""

from __future__ import annotations

import pytest
from kombu import Connection
from kombu.transport import redis as kombu_redis

from service.queue import redis_transport
from tests import support


@pytest.fixture
def redis_url():
    if not support.port_open("127.0.0.1", 6379):
        support.unavailable("Redis is not answering on 127.0.0.1:6379")
    return support.REDIS_URL


def channel_holding_an_unacked_message(url: str, transport: type):
    """What the worker's consumer has when Redis drops: a channel with a delivered message."""
    connection = Connection(url, transport=transport)
    channel = connection.channel()
    message = channel.prepare_message("{}")
    message["properties"].update(
        delivery_tag="tag-1", delivery_info={"exchange": "", "routing_key": "q"}
    )
    channel.qos._delivered["tag-1"] = channel.Message(message, channel=channel)
    # The consumer closes the connection first, which detaches the transport from it, and
    # only then closes the channel (celery's on_connection_error_after_connected).
    connection._do_close_transport()
    return channel


def without_exit_restore(channel) -> None:
    """Kombu would restore this deliberately broken channel's messages at interpreter exit
    and print the same crash under the test run's summary: nothing to restore here."""
    channel.qos._on_collect.cancel()


def test_kombus_own_transport_still_crashes_on_it(redis_url):
    """If this starts failing, kombu fixed the bug and service/queue/redis_transport.py can go."""
    channel = channel_holding_an_unacked_message(redis_url, kombu_redis.Transport)
    with pytest.raises(AttributeError, match="hostname"):
        channel.close()
    without_exit_restore(channel)


def test_closing_a_channel_of_a_detached_transport_leaves_the_messages_to_redis(redis_url):
    channel = channel_holding_an_unacked_message(redis_url, redis_transport.Transport)
    channel.close()
    assert channel.closed
    assert not channel.qos._delivered


def test_redis_urls_use_the_surviving_transport(tmp_path):
    app = support.testing_app(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    celery = app.extensions["celery"]
    with celery.connection_for_read() as connection:
        assert connection.transport_cls == "service.queue.redis_transport:Transport"
        assert issubclass(type(connection.transport), redis_transport.Transport)


def test_kombus_own_transport_crashes_on_a_late_ack_too(redis_url):
    """A task finishing after the connection was lost acks on the dead channel."""
    channel = channel_holding_an_unacked_message(redis_url, kombu_redis.Transport)
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute"):
        channel.qos.ack("tag-1")
    without_exit_restore(channel)


@pytest.mark.parametrize("settle", ["ack", "reject"])
def test_a_late_ack_or_reject_on_a_detached_transport_leaves_the_message_to_redis(
    redis_url, settle
):
    channel = channel_holding_an_unacked_message(redis_url, redis_transport.Transport)
    getattr(channel.qos, settle)("tag-1")  # no AttributeError
    channel.qos._flush()
    assert not channel.qos._delivered  # forgotten here; Redis' unacked set keeps it
