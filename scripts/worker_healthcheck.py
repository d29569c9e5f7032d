"""Docker health check for the worker: exit 0 when it answers a ping through the broker.

Compose only marks a container `unhealthy`; it restarts nothing. So when the worker does not
answer while the broker does (a wedged worker, not a broker outage, which the worker rides
out by itself), this asks the worker (PID 1 in its container) to shut down, and the
`restart: unless-stopped` policy starts a fresh one.
"""

from __future__ import annotations

import os
import signal
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(worker_pid: int = 1, node: str = "", timeout: float = 10) -> int:
    from workers.celery_app import celery

    node = node or f"celery@{socket.gethostname()}"
    try:
        if celery.control.ping(destination=[node], timeout=timeout):
            return 0
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=5)
    except Exception as error:  # noqa: BLE001 - the broker is down: not the worker's fault
        print(f"broker unreachable ({error}); leaving the worker alone", file=sys.stderr)
        return 1
    print(f"{node} did not answer a ping; asking it to restart", file=sys.stderr)
    os.kill(worker_pid, signal.SIGTERM)
    return 1


if __name__ == "__main__":
    sys.exit(main())
