"""A reader who cites a source is not a spammer: comments posted through the real pipeline
(HTTP API, Celery worker, PostgreSQL, the shipped model) and where they land."""

from __future__ import annotations

import pytest

from service.accounts import services as accounts
from service.comments.models import Comment, Status
from service.extensions import db
from tests import support

pytestmark = pytest.mark.integration

CITING = {
    "wikipedia": "Great article, thanks. For background see "
    "https://en.wikipedia.org/wiki/Minsk_agreements and the UN report.",
    "markdown": "Good summary. The [release notes](https://docs.python.org/3/whatsnew/3.12.html) "
    "explain the change, and [this write-up](https://lwn.net/Articles/930705/) measures it.",
    "own_blog": "Nice post! I wrote about this too: "
    "https://myblog.example.com/2026/11/what-i-learned-moving-my-comments",
}
SELLING = "Buy cheap followers at http://cheap-followers-now.example.com and grow today"


def post_and_wait(app, slug: str, text: str) -> Comment:
    client = app.test_client()
    posted = client.post(f"/api/v1/sites/{slug}/comments", json={"uri": "/cite", "text": text})
    assert posted.status_code == 202, posted.get_json()
    comment_id = posted.get_json()["id"]

    def processed():
        with app.app_context():
            return db.session.get(Comment, comment_id).status != Status.RECEIVED

    support.wait_for(processed, timeout=30)
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


@pytest.fixture
def blog(pg_app):
    with pg_app.app_context():
        site = accounts.create_site(support.unique_name("cite").replace("_", "-"), "Cite")
        return site.slug


@pytest.mark.parametrize("name", sorted(CITING))
def test_a_comment_citing_a_source_never_lands_in_the_spam_folder(pg_app, worker, blog, name):
    comment = post_and_wait(pg_app, blog, CITING[name])
    assert comment.status == Status.PENDING, comment.spam_reasons
    details = " ".join(reason["detail"] for reason in comment.spam_reasons)
    assert details  # the queue says why in words


def test_link_spam_that_sells_still_goes_to_the_spam_folder(pg_app, worker, blog):
    comment = post_and_wait(pg_app, blog, SELLING)
    assert comment.status == Status.SPAM, comment.spam_reasons
    codes = {reason["code"] for reason in comment.spam_reasons}
    assert {"model", "selling_link"} <= codes
