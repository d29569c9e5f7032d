"""Fixtures: a SQLite app for unit tests, and PostgreSQL + Redis + a real worker for integration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service import create_app
from service.accounts import services as accounts
from service.accounts.models import Role
from service.comments.models import Comment, Status, Thread
from service.extensions import db
from tests import support


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TALKBACK_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SPAM_MODEL_DIR": str(tmp_path / "models"),
        }
    )
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_site(app):
    def factory(slug: str = "blog", **fields):
        site = accounts.create_site(
            slug, fields.pop("name", slug.title()), fields.pop("origins", [])
        )
        for key, value in fields.items():
            setattr(site, key, value)
        db.session.commit()
        return site

    return factory


@pytest.fixture
def site(make_site):
    return make_site("blog", origins=["https://blog.example"])


@pytest.fixture
def make_moderator(app):
    def factory(site, email: str = "mod@example.org", role: str = Role.MODERATOR):
        moderator = accounts.get_or_create_moderator(email)
        accounts.grant_role(moderator, site, role)
        token = accounts.issue_api_token(moderator)
        return moderator, token

    return factory


@pytest.fixture
def make_comment(app):
    """Insert a comment directly in the given status, bypassing the pipeline."""

    def factory(site, text: str = "A thoughtful comment.", *, uri: str = "/post", **fields):
        thread = db.session.query(Thread).filter_by(site_id=site.id, uri=uri).one_or_none()
        if thread is None:
            thread = Thread(site_id=site.id, uri=uri, title=f"Post {uri}")
            db.session.add(thread)
            db.session.flush()
        fields.setdefault("status", Status.PENDING)
        fields.setdefault("html", f"<p>{text}</p>")
        comment = Comment(site_id=site.id, thread_id=thread.id, text=text, **fields)
        db.session.add(comment)
        db.session.commit()
        return comment

    return factory


# --- the dashboard: signed-in moderators and a mail sink -----------------------------------


@pytest.fixture
def inbox(app):
    """A local SMTP server the app mails to; `inbox.link_to(address)` follows a mailed link."""
    from tests.mail_sink import smtp_inbox

    with smtp_inbox(app) as handler:
        yield handler


@pytest.fixture
def owner_account(site):
    """The site's owner, with a dashboard password (tests.moderator_forms.PASSWORD)."""
    from tests.moderator_forms import dashboard_moderator

    return dashboard_moderator(site, "owner@example.org", Role.OWNER)


@pytest.fixture
def owner_client(app, site):
    """A test client signed in to the dashboard as the site's owner."""
    from tests.moderator_forms import signed_in

    return signed_in(app, site, "owner@example.org", Role.OWNER)


@pytest.fixture
def moderator_client(app, site):
    """A test client signed in to the dashboard as a (non-owner) moderator of the site."""
    from tests.moderator_forms import signed_in

    return signed_in(app, site, "mod@example.org")


# --- integration: real PostgreSQL, Redis and Celery worker -------------------------------


@pytest.fixture(scope="session")
def pg_url():
    """A throw-away PostgreSQL database for this test run, dropped afterwards."""
    with support.pg_database("talkback_test") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url():
    if not support.port_open("127.0.0.1", 6379):
        support.unavailable("Redis is not answering on 127.0.0.1:6379")
    return support.REDIS_URL


@pytest.fixture(scope="session")
def integration_env(pg_url, redis_url, tmp_path_factory) -> dict[str, str]:
    """Environment for both the in-test app and the worker subprocess."""
    instance = tmp_path_factory.mktemp("instance")
    return {
        "DATABASE_URL": pg_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "TALKBACK_QUEUE": support.unique_name("talkback_q"),
        "TALKBACK_INSTANCE_DIR": str(instance),
        "TALKBACK_SPAM_MODEL_DIR": str(instance / "models"),
        "TALKBACK_STUCK_AFTER_SECONDS": "2",
        "TALKBACK_SWEEP_INTERVAL_SECONDS": "1",
        "SECRET_KEY": "integration-secret",
    }


def integration_app(env: dict[str, str]):
    return create_app(
        {
            "TALKBACK_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "CELERY_BROKER_URL": env["CELERY_BROKER_URL"],
            "CELERY_QUEUE": env["TALKBACK_QUEUE"],
            "SPAM_MODEL_DIR": env["TALKBACK_SPAM_MODEL_DIR"],
            "SECRET_KEY": env["SECRET_KEY"],
            "STUCK_AFTER_SECONDS": float(env["TALKBACK_STUCK_AFTER_SECONDS"]),
            "TASKS_EAGER": False,
        }
    )


@pytest.fixture(scope="session")
def pg_app(integration_env):
    """An app on the throw-away PostgreSQL database, migrated with Alembic (not create_all)."""
    from flask_migrate import upgrade

    app = integration_app(integration_env)
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def worker(pg_app, integration_env, tmp_path_factory):
    """A real `celery worker` (with beat) subprocess consuming this run's queue."""
    log = Path(tmp_path_factory.mktemp("worker")) / "worker.log"
    process = support.start_worker(integration_env, beat=True, log_path=log)
    yield process
    support.stop_process(process)
    if os.environ.get("TALKBACK_SHOW_WORKER_LOG"):
        print(log.read_text())


# --- browser: a live server in a thread and headless Debian Chromium ----------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(tmp_path):
    """The app on a real port (SQLite file, tasks run in-process), for browser tests.

    Yields an object with `url`, `app` and `token` (an owner token for the `demo` site).
    """
    import threading
    from types import SimpleNamespace

    from werkzeug.serving import make_server

    app = create_app(
        {
            "TALKBACK_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.db'}",
            "SPAM_MODEL_DIR": str(tmp_path / "models"),
        }
    )
    port = support.free_port()
    url = f"http://127.0.0.1:{port}"
    with app.app_context():
        db.create_all()
        site = accounts.create_site("demo", "Talkback demo blog", [url])
        moderator = accounts.get_or_create_moderator("owner@example.org")
        accounts.grant_role(moderator, site, Role.OWNER)
        token = accounts.issue_api_token(moderator)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=url, app=app, token=token)
    server.shutdown()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        support.unavailable(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    yield page
    context.close()
