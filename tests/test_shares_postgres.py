"""Share click counting on PostgreSQL: concurrent clicks are never lost (atomic UPSERT)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from service.accounts import services as accounts
from service.comments.models import Thread
from service.extensions import db
from service.shares import services
from service.shares.models import ShareClick
from tests import support

pytestmark = pytest.mark.integration

CLICKS = 50


@pytest.fixture
def pg_thread(pg_app):
    """A fresh site and thread in the run's PostgreSQL database (created by Alembic)."""
    with pg_app.app_context():
        slug = support.unique_name("share").replace("_", "-")
        site = accounts.create_site(slug, "Shares", ["https://pg.example"])
        thread = Thread(site_id=site.id, uri="/post", title="Concurrent")
        db.session.add(thread)
        db.session.commit()
        return slug, site.id, thread.id


def count_of(app, thread_id: int, network: str) -> int:
    with app.app_context():
        rows = db.session.scalars(
            select(ShareClick).where(
                ShareClick.thread_id == thread_id, ShareClick.network == network
            )
        ).all()
        assert len(rows) <= 1  # one row per (thread, network, day), whoever created it
        return rows[0].count if rows else 0


def run_together(work) -> list:
    """Start CLICKS threads at the same instant; each runs `work` in its own app context."""
    barrier = threading.Barrier(CLICKS)
    results: list = []
    errors: list = []

    def one() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(work())
        except Exception as error:  # noqa: BLE001 - reported below, not swallowed
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_fifty_concurrent_redirect_clicks_count_fifty(pg_app, pg_thread):
    slug, _, thread_id = pg_thread

    def click() -> int:
        with pg_app.app_context():
            response = pg_app.test_client().get(f"/s/{slug}/{thread_id}/x")
            db.session.remove()
            return response.status_code

    statuses = run_together(click)
    assert statuses == [302] * CLICKS
    assert count_of(pg_app, thread_id, "x") == CLICKS


def test_fifty_concurrent_service_calls_count_fifty(pg_app, pg_thread):
    _, site_id, thread_id = pg_thread

    def record() -> bool:
        with pg_app.app_context():
            services.record_click(site_id, thread_id, "bluesky")
            db.session.remove()
            return True

    run_together(record)
    assert count_of(pg_app, thread_id, "bluesky") == CLICKS
