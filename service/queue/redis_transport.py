"""Kombu's Redis transport with one fix: losing Redis while holding unacked messages is survivable.

Kombu 5.7.0 (the newest release) crashes the worker when Redis goes away while it holds an
unacknowledged message (a retry waiting for its countdown, a prefetched task): the consumer
closes the connection, which detaches the transport (`transport.client = None`), and only
then closes the channel, whose `QoS.restore_unacked` builds a new Redis pool from the
detached transport: `AttributeError: 'NoneType' object has no attribute 'hostname'`. That
error is not a connection error, so Celery treats it as unrecoverable and the worker exits
(kombu issues #582/#970 describe the same path). Nothing can be restored at that moment
anyway: Redis is gone. The messages stay in Redis' unacked set, which `restore_visible`
returns to the queue after `visibility_timeout`, and comments come back sooner through the
sweep (service/moderation/services.py::resend_stuck_comments).

Selected with Celery's `broker_transport` setting for redis:// URLs (service/queue/__init__.py).
"""

from __future__ import annotations

import logging

from kombu.transport import redis

log = logging.getLogger(__name__)


class QoS(redis.QoS):
    def _detached(self) -> bool:
        transport = self.channel.connection
        return transport is None or transport.client is None

    def restore_unacked(self, client=None):
        if client is None and self._detached():
            log.warning(
                "Redis connection closed with %d unacknowledged message(s): they stay in "
                "Redis' unacked set and return after the visibility timeout",
                len(self._delivered),
            )
            self._delivered.clear()
            return None
        return super().restore_unacked(client)

    def ack(self, delivery_tag):
        # A task that finishes after the connection was lost acks on the dead channel; the
        # same detached transport then fails with 'NoneType' object has no attribute
        # 'client'. The message stays in Redis' unacked set and comes back after the
        # visibility timeout, which an idempotent task shrugs off.
        if self._detached():
            log.warning("ack of %s after the Redis connection closed: not sent", delivery_tag)
            redis.virtual.QoS.ack(self, delivery_tag)
            return None
        return super().ack(delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        if self._detached():
            log.warning("reject of %s after the Redis connection closed: not sent", delivery_tag)
            redis.virtual.QoS.ack(self, delivery_tag)
            return None
        return super().reject(delivery_tag, requeue=requeue)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
