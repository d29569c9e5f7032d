"""End to end on real parts: PostgreSQL, Redis and a `celery worker` subprocess."""

from __future__ import annotations

import subprocess
import time

import pytest

from service.accounts import services as accounts
from service.comments.models import Comment, Status
from service.extensions import db
from tests import support
from tests.conftest import integration_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pg_site(pg_app):
    with pg_app.app_context():
        site = accounts.create_site(support.unique_name("site").replace("_", "-"), "Integration")
        moderator = accounts.get_or_create_moderator(f"{site.slug}@example.org")
        accounts.grant_role(moderator, site, "owner")
        token = accounts.issue_api_token(moderator)
        return site.slug, token


def status_of(app, comment_id: int) -> str:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        return comment.status


def test_post_is_processed_by_the_worker_then_approved_and_published(pg_app, worker, pg_site):
    slug, token = pg_site
    client = pg_app.test_client()
    response = client.post(
        f"/api/v1/sites/{slug}/comments",
        json={"uri": "/e2e", "title": "E2E", "author": "Ann", "text": "Real *worker* test"},
    )
    assert response.status_code == 202
    comment_id = response.get_json()["id"]
    support.wait_for(lambda: status_of(pg_app, comment_id) == Status.PENDING, timeout=30)

    queue = client.get(f"/api/v1/sites/{slug}/queue", headers={"Authorization": f"Bearer {token}"})
    assert comment_id in [c["id"] for c in queue.get_json()["comments"]]
    approve = client.post(
        f"/api/v1/comments/{comment_id}/approve", headers={"Authorization": f"Bearer {token}"}
    )
    assert approve.status_code == 200
    thread = client.get(f"/api/v1/sites/{slug}/threads?uri=/e2e").get_json()
    assert [c["html"] for c in thread["comments"]] == ["<p>Real <em>worker</em> test</p>"]


def test_a_burst_is_all_processed_with_far_fewer_messages_than_comments(
    pg_app, worker, pg_site, monkeypatch
):
    from concurrent.futures import ThreadPoolExecutor

    from service import queue

    celery = pg_app.extensions["celery"]
    send_task = celery.send_task
    published = []

    def counted_send(name, *args, **kwargs):
        if name == queue.PROCESS_COMMENT:
            published.append(kwargs["args"][0])
        return send_task(name, *args, **kwargs)

    monkeypatch.setattr(celery, "send_task", counted_send)

    def post_many(poster: int) -> list[int]:
        client = pg_app.test_client()
        return [
            client.post(
                f"/api/v1/sites/{pg_site[0]}/comments",
                json={"uri": "/burst", "text": f"Burst comment {n} from poster {poster}."},
            ).get_json()["id"]
            for n in range(50)
        ]

    with ThreadPoolExecutor(max_workers=6) as posters:
        ids = [cid for batch in posters.map(post_many, range(6)) for cid in batch]
    support.wait_for(
        lambda: all(status_of(pg_app, cid) != Status.RECEIVED for cid in ids), timeout=120
    )
    queue._executor.submit(lambda: None).result()  # publishes still in flight are counted
    assert len(ids) == 300
    assert 1 <= len(published) <= len(ids) // 5, f"{len(published)} messages"


class RedisServer:
    """A private redis-server, so a test can stop and restart its broker."""

    def __init__(self, tmp_path):
        self.port = support.free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        support.wait_for(lambda: support.port_open("127.0.0.1", self.port), timeout=10)

    def stop(self) -> None:
        if self.process:
            support.stop_process(self.process)
            self.process = None


@pytest.fixture
def private_redis(tmp_path, pg_app):
    from shutil import which

    if which("redis-server") is None:
        support.unavailable("redis-server binary is not installed")
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def outage_env(integration_env, redis: RedisServer) -> dict[str, str]:
    return {
        **integration_env,
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "TALKBACK_QUEUE": support.unique_name("outage_q"),
    }


def post_comment(app, slug: str, text: str) -> int:
    started = time.monotonic()
    response = app.test_client().post(
        f"/api/v1/sites/{slug}/comments", json={"uri": "/outage", "text": text}
    )
    assert response.status_code == 202
    # A dead broker must not make the reader wait.
    assert time.monotonic() - started < 5
    return response.get_json()["id"]


def processed_by_a_recovering_worker(env, app, comment_ids: list[int], log_path) -> None:
    """Start a worker with beat (the sweep) and wait until no comment is left `received`.

    Many comments from one address trip the flood gate, so some may end in `spam`: what
    matters here is that none is left behind.
    """
    worker = support.start_worker(env, beat=True, log_path=log_path)
    try:
        support.wait_for(
            lambda: all(status_of(app, cid) != Status.RECEIVED for cid in comment_ids),
            timeout=90,
        )
    finally:
        support.stop_process(worker)


def test_a_comment_posted_while_the_broker_is_down_is_processed_when_it_returns(
    integration_env, private_redis, pg_site, tmp_path
):
    env = outage_env(integration_env, private_redis)
    app = integration_app(env)
    comment_id = post_comment(app, pg_site[0], "Posted during a broker outage")
    assert status_of(app, comment_id) == Status.RECEIVED
    private_redis.start()
    processed_by_a_recovering_worker(env, app, [comment_id], tmp_path / "worker.log")
    assert status_of(app, comment_id) == Status.PENDING


def test_a_comment_whose_message_died_with_redis_is_still_processed(
    integration_env, private_redis, pg_site, tmp_path
):
    env = outage_env(integration_env, private_redis)
    app = integration_app(env)
    private_redis.start()
    comment_id = post_comment(app, pg_site[0], "Queued, then Redis restarted empty")
    # Redis here keeps nothing on disk: a restart loses the queued message.
    private_redis.stop()
    private_redis.start()
    processed_by_a_recovering_worker(env, app, [comment_id], tmp_path / "worker.log")
    assert status_of(app, comment_id) == Status.PENDING


def test_a_worker_killed_while_busy_loses_nothing(
    integration_env, private_redis, pg_site, tmp_path
):
    env = outage_env(integration_env, private_redis)
    app = integration_app(env)
    private_redis.start()
    ids = [post_comment(app, pg_site[0], f"comment {n} before the crash") for n in range(30)]
    worker = support.start_worker(env, log_path=tmp_path / "first.log")
    support.wait_for(lambda: status_of(app, ids[0]) != Status.RECEIVED, timeout=60, interval=0.02)
    worker.kill()  # SIGKILL while the queue is still draining: no chance to ack or clean up
    worker.wait()
    processed_by_a_recovering_worker(env, app, ids, tmp_path / "second.log")
