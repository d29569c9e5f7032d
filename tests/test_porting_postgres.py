"""Import, re-import and JSON round trip on PostgreSQL (bulk insert with RETURNING, the
correlated UPDATE that links replies, timestamps with time zone)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from service.accounts import services as accounts
from service.comments.models import Comment
from service.extensions import db
from service.porting.disqus import read_disqus
from service.porting.exporter import write_json
from service.porting.importer import run_import
from service.porting.json_format import read_json
from tests import support
from tests.porting_support import DISQUS_HEAD, disqus_post, disqus_thread

pytestmark = pytest.mark.integration

DISQUS = (
    DISQUS_HEAD
    + disqus_thread("1", "https://blog.example/pg/", "Postgres ✓")
    + disqus_post("12", "1", "<p>Grandchild</p>", parent="11", created="2022-01-01T10:00:02Z")
    + disqus_post("11", "1", "<p>Child</p>", parent="10", created="2022-01-01T10:00:01Z")
    + disqus_post("10", "1", "<p>Parent ✓</p>", created="2022-01-01T10:00:00.123456+02:00")
    + disqus_post("13", "1", "<p>Spam</p>", spam=True)
    + "</disqus>\n"
)


def test_disqus_import_rerun_and_json_round_trip_on_postgresql(pg_app):
    with pg_app.app_context():
        source = accounts.create_site(support.unique_name("pg").replace("_", "-"), "PG")
        report = run_import(source, "disqus", read_disqus(io.BytesIO(DISQUS.encode())))
        again = run_import(source, "disqus", read_disqus(io.BytesIO(DISQUS.encode())))

        assert (report.imported, report.problems, again.imported) == (4, [], 0)
        by_text = {
            c.text: c
            for c in db.session.scalars(select(Comment).where(Comment.site_id == source.id))
        }
        assert by_text["<p>Grandchild</p>"].parent_id == by_text["<p>Child</p>"].id
        assert by_text["<p>Child</p>"].parent_id == by_text["<p>Parent ✓</p>"].id

        first = io.StringIO()
        write_json(source, first)
        target = accounts.create_site(support.unique_name("pg").replace("_", "-"), "PG")
        run_import(target, "json", read_json(io.BytesIO(first.getvalue().encode())))
        second = io.StringIO()
        write_json(target, second)

        assert second.getvalue().replace(target.slug, source.slug) == first.getvalue()
        assert db.session.scalar(select(func.count()).where(Comment.site_id == target.id)) == 4


def test_erasure_leaves_the_address_in_no_column_on_postgresql(pg_app):
    from service.comments.models import Status, Thread
    from service.privacy import services as privacy
    from service.replies.models import ReplySubscription
    from tests.privacy_support import places_holding

    address = f"{support.unique_name('erase')}@example.org"
    with pg_app.app_context():
        site = accounts.create_site(support.unique_name("pg").replace("_", "-"), "PG")
        thread = Thread(site_id=site.id, uri="/erase", title="Erase")
        db.session.add(thread)
        db.session.flush()
        mine = Comment(
            site_id=site.id,
            thread_id=thread.id,
            text="mine",
            html="<p>mine</p>",
            email=address.upper(),
            author_name="Me",
            ip="192.0.2.0",
            status=Status.APPROVED,
            signals={"note": address},
        )
        db.session.add(mine)
        db.session.flush()
        db.session.add_all(
            [
                Comment(
                    site_id=site.id,
                    thread_id=thread.id,
                    parent_id=mine.id,
                    text=f"hi {address}",
                    html=f"<p>hi {address}</p>",
                    status=Status.APPROVED,
                ),
                ReplySubscription(site_id=site.id, comment_id=mine.id, email=address),
            ]
        )
        db.session.commit()
        assert places_holding(address)

        privacy.erase(address)

        assert places_holding(address) == []
