"""Acceptance for faults: a 300-comment burst survives a killed worker, a broker outage and a
database outage, on Redis and on RabbitMQ, with nobody stepping in (tests/reliability/harness.py).

Each broker's stack is started once and the faults strike one after another on it; the
figures are printed (`pytest -s`) and bench/bench_faults.py writes them to docs/reliability.md.
"""

from __future__ import annotations

import pytest

from tests.reliability import harness

pytestmark = pytest.mark.integration

CASES = {
    "redis": ("worker_killed", "broker_down", "database_down"),
    "rabbitmq": ("worker_killed", "broker_down"),
}


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> dict[tuple[str, str], harness.Figures]:
    results = {}
    for broker, faults in CASES.items():
        for result in harness.run(broker, faults, tmp_path_factory.mktemp(broker)):
            print(result.row())
            results[(broker, result.fault)] = result
    return results


PARAMS = [(broker, fault) for broker, faults in CASES.items() for fault in faults]


@pytest.mark.parametrize(("broker", "fault"), PARAMS)
def test_every_accepted_comment_is_processed_once_without_help(figures, broker, fault):
    result = figures[(broker, fault)]
    assert result.accepted > 0
    assert result.lost == 0, result.worker_log[-3000:]
    assert result.processed == result.accepted
    assert result.duplicated == 0
    assert result.drain_seconds is not None
    assert result.server_errors == []


@pytest.mark.parametrize("broker", list(CASES))
def test_a_killed_worker_is_restarted_by_its_supervisor(figures, broker):
    assert figures[(broker, "worker_killed")].worker_restarts == 1


@pytest.mark.parametrize("broker", list(CASES))
def test_a_broker_outage_does_not_kill_the_worker(figures, broker):
    result = figures[(broker, "broker_down")]
    assert result.worker_restarts == 0, result.worker_log[-3000:]
    assert result.accepted == result.sent  # the broker is not needed to accept a comment


def test_the_redis_worker_held_unacked_messages_when_redis_went(figures):
    # The condition that crashed kombu 5.7.0 (service/queue/redis_transport.py).
    log = figures[("redis", "broker_down")].worker_log
    assert "Connection to broker lost" in log
    assert "unacknowledged message(s)" in log


def test_posts_while_the_database_is_down_get_503_with_retry_after(figures):
    result = figures[("redis", "database_down")]
    assert result.refused_503 > 0
    assert result.refused_without_retry_after == 0
    assert result.accepted + result.refused_503 == result.sent
