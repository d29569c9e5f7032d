"""Rate limits keep working, and comments keep being accepted, when their Redis is down."""

from __future__ import annotations

import time

from service.accounts import services as accounts
from service.extensions import db
from tests import support
from tests.moderator_forms import csrf_token

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_a_comment_is_accepted_while_the_rate_limit_store_is_down(tmp_path):
    app = support.testing_app(
        tmp_path,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS,
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        LOGIN_RATE_LIMIT="3 per minute",
    )
    with app.app_context():
        db.create_all()
        accounts.create_site("blog", "Blog", ["https://blog.example"])
        client = app.test_client()
        started = time.monotonic()
        response = client.post(
            "/api/v1/sites/blog/comments", json={"uri": "/post", "text": "Still here."}
        )
        assert response.status_code == 202, response.get_json()
        assert time.monotonic() - started < 5
        # ...and the limits still hold, counted in memory until Redis is back.
        form = {"email": "x@example.org", "password": "nope", "csrf_token": csrf_token(client)}
        statuses = [client.post("/moderate/login", data=form).status_code for _ in range(4)]
        assert statuses[-1] == 429, statuses
        db.session.remove()
