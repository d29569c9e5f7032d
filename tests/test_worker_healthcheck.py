"""The worker's Docker health check: a deaf worker is restarted, a broker outage is not its fault."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests import support

sys.path.insert(0, str(support.ROOT / "scripts"))
import worker_healthcheck  # noqa: E402


@pytest.fixture
def pretend_worker():
    """A process standing in for PID 1 of the worker container."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    support.stop_process(process)


def test_a_worker_that_does_not_answer_while_the_broker_does_is_asked_to_stop(
    pretend_worker, monkeypatch
):
    if not support.port_open("127.0.0.1", 6379):
        support.unavailable("Redis is not answering on 127.0.0.1:6379")
    from workers.celery_app import celery

    monkeypatch.setattr(celery.conf, "broker_url", support.REDIS_URL)
    node = support.unique_name("celery@absent")
    assert worker_healthcheck.main(pretend_worker.pid, node=node, timeout=0.5) == 1
    assert pretend_worker.wait(timeout=10) == -15


def test_a_broker_outage_leaves_the_worker_alone(pretend_worker, monkeypatch):
    from workers.celery_app import celery

    monkeypatch.setattr(celery.conf, "broker_url", f"redis://127.0.0.1:{support.free_port()}/0")
    node = support.unique_name("celery@absent")
    assert worker_healthcheck.main(pretend_worker.pid, node=node, timeout=0.5) == 1
    assert pretend_worker.poll() is None
