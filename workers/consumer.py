"""The worker's consumer, reconnecting to a lost broker within seconds instead of ~30.

Celery's consumer reconnects with kombu's default back-off (2 s, then 2 s more each try, up
to 30 s between tries) and offers no setting for it, so after a 20 s Redis restart the worker
could sleep another 10-20 s before it looks again. A connection attempt to a dead broker on
this network fails at once, so trying often costs nothing; the ceiling comes from
`TALKBACK_BROKER_RECONNECT_MAX_SECONDS` (Celery setting `talkback_reconnect_max_seconds`).
"""

from __future__ import annotations

import functools

from celery.worker.consumer import Consumer


class QuickReconnectConsumer(Consumer):
    def ensure_connected(self, conn):
        ceiling = float(self.app.conf.get("talkback_reconnect_max_seconds", 2.0))
        conn.ensure_connection = functools.partial(
            conn.ensure_connection,
            interval_start=min(0.5, ceiling),
            interval_step=0.5,
            interval_max=ceiling,
        )
        return super().ensure_connected(conn)
