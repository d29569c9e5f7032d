"""Configuration: safe demo defaults, and production refuses to start without real settings."""

import pytest

from service import create_app
from service.config import ProductionConfig
from tests import support


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/talkback")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


@pytest.mark.parametrize("url", ["", "sqlite:///talkback.db"])
def test_production_refuses_to_start_on_the_demo_database(monkeypatch, url):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")


def test_the_embedded_default_needs_no_server(app):
    from service.config import DevelopmentConfig

    assert DevelopmentConfig.CELERY_BROKER_URL.startswith(("sqla+sqlite", "redis"))
    assert DevelopmentConfig.SQLALCHEMY_DATABASE_URI.startswith(("sqlite", "postgresql"))


@pytest.mark.parametrize("public_url", ["", "talk.example.org"])
def test_production_refuses_to_start_without_a_public_url(monkeypatch, public_url):
    """Without it, e-mailed reset links are built from the Host header the requester sends,
    so anyone could ask for a reset mail whose link leaks the token to their own server."""
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/talkback")
    monkeypatch.setenv("TALKBACK_PUBLIC_URL", public_url)
    with pytest.raises(RuntimeError, match="TALKBACK_PUBLIC_URL"):
        create_app("production")


def test_no_task_retries_later_than_redis_would_hand_its_message_out_again(tmp_path):
    # A retry waiting for its countdown is an unacknowledged message; if Redis' visibility
    # timeout ran out first, a second worker would run the same retry too.
    app = support.testing_app(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    timeout = celery.conf.broker_transport_options["visibility_timeout"]
    tasks = [task for name, task in celery.tasks.items() if name.startswith("talkback.")]
    assert len(tasks) >= 6
    for task in tasks:
        if getattr(task, "autoretry_for", ()):
            assert task.retry_backoff_max < timeout, task.name


@pytest.mark.parametrize(
    "variable",
    ["COMMENT_RATE_LIMIT", "LOGIN_RATE_LIMIT", "SHARE_LINKS_RATE_LIMIT", "SHARE_CLICK_RATE_LIMIT"],
)
def test_every_rate_limit_comes_from_the_environment(variable):
    import os
    import subprocess
    import sys

    show = f"from service.config import Config; print(Config.{variable})"
    env = {**os.environ, variable: "7 per hour"}
    result = subprocess.run(
        [sys.executable, "-c", show], env=env, cwd=support.ROOT, capture_output=True, text=True
    )
    assert result.stdout.strip() == "7 per hour", result.stderr


def test_a_rate_limit_that_does_not_parse_refuses_to_start(tmp_path):
    with pytest.raises(RuntimeError, match="COMMENT_RATE_LIMIT"):
        support.testing_app(tmp_path, COMMENT_RATE_LIMIT="lots per minute")


def test_the_readme_documents_every_rate_limit():
    from service.http.limits import RATE_LIMITS

    readme = (support.ROOT / "README.md").read_text()
    for variable in RATE_LIMITS:
        assert f"`{variable}`" in readme, variable
