"""Export -> import into an empty database -> export gives the same bytes; the Disqus export
reads back with its pages, nesting and states."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from service.accounts import services as accounts
from service.comments.models import Comment, Status
from service.extensions import db
from tests import support
from tests.porting_support import comments_by_text


@pytest.fixture
def full_site(site, make_comment):
    """Nesting three deep, every state, Unicode and Markdown, an edited comment."""
    first = make_comment(
        site,
        "Erste Ebene — *kursiv*",
        status=Status.APPROVED,
        author_name="Zoë",
        email="zoe@example.org",
        website="https://zoe.example/",
    )
    second = make_comment(
        site,
        "مرحبا 👋 reply",
        status=Status.APPROVED,
        parent_id=first.id,
        edited_at=datetime(2024, 2, 3, 4, 5, 6, 789, tzinfo=UTC),
    )
    make_comment(site, "third level", status=Status.PENDING, parent_id=second.id)
    make_comment(site, "spam spam", status=Status.SPAM)
    make_comment(site, "rejected one", status=Status.REJECTED)
    make_comment(site, "gone", status=Status.DELETED)
    make_comment(site, "not processed yet", status=Status.RECEIVED, html="")
    make_comment(site, "Another page, 日本語", uri="/other?x=1", status=Status.APPROVED)
    return site


def export(app, slug: str, fmt: str = "json") -> str:
    result = app.test_cli_runner().invoke(args=["export", slug, "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def import_into_fresh_app(tmp_path, fmt: str, document: str, name: str):
    fresh = support.testing_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / name}")
    path = tmp_path / f"{name}.export"
    path.write_text(document, encoding="utf-8")
    with fresh.app_context():
        db.create_all()
        accounts.create_site("blog", "Blog", ["https://blog.example"])
        result = fresh.test_cli_runner().invoke(
            args=["import", fmt, str(path), "--site", "blog", "--quiet"]
        )
        assert result.exit_code == 0, result.output
    return fresh


def test_json_export_import_export_is_byte_identical(app, full_site, tmp_path):
    first = export(app, "blog")

    fresh = import_into_fresh_app(tmp_path, "json", first, "fresh.db")
    with fresh.app_context():
        second = export(fresh, "blog")

    assert second == first
    document = json.loads(first)
    assert document["version"] == 1
    assert json.dumps(document, sort_keys=True) == json.dumps(json.loads(second), sort_keys=True)
    statuses = {c["status"] for t in document["threads"] for c in t["comments"]}
    assert statuses == {"approved", "pending", "spam", "rejected", "deleted"}
    assert "Zoë" in first and "مرحبا 👋" in first  # written as UTF-8, not \u escapes


def test_a_second_round_trip_is_still_identical(app, full_site, tmp_path):
    first = export(app, "blog")
    fresh = import_into_fresh_app(tmp_path, "json", first, "one.db")
    with fresh.app_context():
        middle = export(fresh, "blog")
    again = import_into_fresh_app(tmp_path, "json", middle, "two.db")
    with again.app_context():
        assert export(again, "blog") == first


def test_disqus_export_reads_back_with_pages_nesting_and_states(app, full_site, tmp_path):
    document = export(app, "blog", "disqus")
    assert "<link>https://blog.example/other?x=1</link>" in document

    fresh = import_into_fresh_app(tmp_path, "disqus", document, "disqus.db")
    with fresh.app_context():
        site = accounts.get_site("blog")
        by_html = {c.html: c for c in comments_by_text(site).values()}
        first = by_html["<p>Erste Ebene — *kursiv*</p>"]
        second = by_html["<p>مرحبا 👋 reply</p>"]
        third = by_html["<p>third level</p>"]
        assert second.parent_id == first.id and third.parent_id == second.id
        assert third.status == "pending" and by_html["<p>spam spam</p>"].status == "spam"
        # Disqus knows no "rejected": it is written as deleted.
        assert by_html["<p>rejected one</p>"].status == "deleted"
        assert first.author_name == "Zoë" and first.email == "zoe@example.org"
        assert db.session.query(Comment).count() == 8
