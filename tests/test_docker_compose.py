"""No Docker engine runs here, so the compose file is checked as data."""

from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_the_stack_has_every_process(services):
    assert {"web", "worker", "beat", "redis", "postgres", "migrate"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]


def test_redis_is_durable_and_never_evicts(services):
    command = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in command
    assert "--appendfsync everysec" in command
    assert "--maxmemory-policy noeviction" in command
    assert any(volume.endswith(":/data") for volume in services["redis"]["volumes"])


def test_postgres_has_a_volume_and_a_healthcheck(services):
    postgres = services["postgres"]
    assert any("/var/lib/postgresql/data" in volume for volume in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


@pytest.mark.parametrize("name", ["web", "worker"])
def test_web_and_worker_wait_for_healthy_services_and_migrations(services, name):
    depends = services[name]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"


def test_migrations_run_once_and_secrets_come_from_the_environment(services):
    assert services["migrate"]["command"] == ["flask", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    environment = services["web"]["environment"]
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY")
    assert environment["TALKBACK_ENV"] == "production"


def test_every_long_running_process_is_restarted_when_it_exits(services):
    for name in ("web", "worker", "beat", "redis", "postgres"):
        assert services[name]["restart"] == "unless-stopped", name


def test_the_worker_is_pinged_through_the_broker(services):
    check = services["worker"]["healthcheck"]
    assert check["test"] == ["CMD", "python", "scripts/worker_healthcheck.py"]
    assert check["retries"] >= 2
    assert (COMPOSE.parent / "scripts" / "worker_healthcheck.py").exists()


def test_the_web_health_check_asks_liveness_not_readiness(services):
    # A database outage must not get every web container restarted at once.
    check = " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz" in check
    assert "/readyz" not in check
