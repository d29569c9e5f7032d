"""A moderator's decision teaches the site's model through a real Celery worker."""

from __future__ import annotations

import pytest

from service.accounts import services as accounts
from service.comments.models import Comment, Status
from service.extensions import db
from service.spam import learning as spam_learning
from service.spam import storage as spam_storage
from tests import support

pytestmark = pytest.mark.integration


def test_an_approval_is_learned_by_the_worker_into_a_new_site_version(pg_app, worker):
    with pg_app.app_context():
        site = accounts.create_site(support.unique_name("spam").replace("_", "-"), "Spam")
        moderator = accounts.get_or_create_moderator(f"{site.slug}@example.org")
        accounts.grant_role(moderator, site, "owner")
        token = accounts.issue_api_token(moderator)
        slug = site.slug
    client = pg_app.test_client()
    posted = client.post(
        f"/api/v1/sites/{slug}/comments",
        json={"uri": "/spam", "text": "Thanks for the recipe, I will try it this weekend"},
    )
    comment_id = posted.get_json()["id"]

    def processed():
        with pg_app.app_context():
            return db.session.get(Comment, comment_id).status != Status.RECEIVED

    support.wait_for(processed, timeout=30)
    response = client.post(
        f"/api/v1/comments/{comment_id}/approve", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200

    with pg_app.app_context():
        models = spam_learning.site_models(slug)
    support.wait_for(lambda: models.current_version() == 1, timeout=30)
    assert spam_storage.load(models.current_path()).learned == {comment_id: "ham"}
