"""Configuration: safe demo defaults, and production refuses to start without real settings."""

import pytest

from service import create_app
from service.config import ProductionConfig


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
