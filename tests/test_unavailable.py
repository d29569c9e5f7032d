"""A dependency that is down answers 503 with Retry-After; Retry-After only on 429 and 503;
/healthz says the process lives, /readyz whether it can reach its database and broker."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from service.accounts import services as accounts
from service.extensions import db
from tests import support

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def app_with(tmp_path, **overrides):
    config = {"CELERY_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.db'}", **overrides}
    return support.testing_app(tmp_path, **config)


@pytest.fixture
def limited_app(tmp_path):
    app = app_with(tmp_path, RATELIMIT_ENABLED=True, COMMENT_RATE_LIMIT="2 per minute")
    with app.app_context():
        db.create_all()
        accounts.create_site("blog", "Blog", ["https://blog.example"])
        yield app
        db.session.remove()


def test_retry_after_appears_on_429_only_not_on_accepted_comments(limited_app):
    client = limited_app.test_client()
    comment = {"uri": "/post", "text": "Hello."}
    accepted = [client.post("/api/v1/sites/blog/comments", json=comment) for _ in range(2)]
    assert [response.status_code for response in accepted] == [202, 202]
    assert all("Retry-After" not in response.headers for response in accepted)
    limited = client.post("/api/v1/sites/blog/comments", json=comment)
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert 0 < int(limited.headers["Retry-After"]) <= 60


def test_a_database_that_cannot_be_opened_answers_503_with_a_recovery_hint(tmp_path):
    app = app_with(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing' / 'talkback.db'}",
        RETRY_AFTER_SECONDS=7,
        RATELIMIT_ENABLED=True,
    )
    response = app.test_client().post(
        "/api/v1/sites/blog/comments", json={"uri": "/post", "text": "Hello."}
    )
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert response.headers["Retry-After"] == "7"
    page = app.test_client().get("/t/blog?uri=/post")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "7"


def test_healthz_answers_without_looking_at_dependencies(tmp_path):
    app = app_with(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing' / 'talkback.db'}",
        CELERY_BROKER_URL=UNREACHABLE_REDIS,
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ready_when_database_and_broker_answer(tmp_path):
    app = app_with(tmp_path)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"] == {"database": True, "broker": True}
    assert "Retry-After" not in response.headers


def test_readyz_names_the_broker_when_it_is_down(tmp_path):
    app = app_with(tmp_path, CELERY_BROKER_URL=UNREACHABLE_REDIS)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["error"]["code"] == "service_unavailable"
    assert body["checks"] == {"database": True, "broker": False}
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.integration
def test_postgres_refusing_connections_gives_503_then_recovers(tmp_path):
    with support.pg_database("talkback_unavailable") as url:
        app = app_with(tmp_path, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
            accounts.create_site("blog", "Blog", [])
            db.session.remove()
        client = app.test_client()
        name = url.rsplit("/", 1)[1]
        admin = create_engine(support.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        comment = {"uri": "/post", "text": "During the outage."}
        try:
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                    ),
                    {"n": name},
                )
            refused = client.post("/api/v1/sites/blog/comments", json=comment)
            assert refused.status_code == 503
            assert refused.get_json()["error"]["code"] == "service_unavailable"
            assert int(refused.headers["Retry-After"]) > 0
            ready = client.get("/readyz")
            assert ready.status_code == 503
            assert ready.get_json()["checks"]["database"] is False
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            admin.dispose()
        assert client.post("/api/v1/sites/blog/comments", json=comment).status_code == 202
        with app.app_context():
            db.engine.dispose()
