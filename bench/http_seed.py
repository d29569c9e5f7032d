"""The seed every server in bench_http.py gets: the same 1,105 comments on the same pages.

A 50-comment thread (the widget's first request), a 1,000-comment thread and ten listing
pages with 5 or 6 comments each. Texts are generated from a fixed random seed; every fifth
comment replies to an earlier one on its page. Talkback gets them as approved rows (the
pipeline is measured separately), Isso through its HTTP API with moderation off.
"""

from __future__ import annotations

import http.client
import json
import random
import time
from dataclasses import dataclass

from tests.support import REDIS_URL

THREAD_50 = "/t50"
THREAD_1000 = "/t1000"
LISTING = [f"/post-{i}" for i in range(10)]
WORDS = [
    "the",
    "a",
    "post",
    "thanks",
    "great",
    "read",
    "agree",
    "disagree",
    "point",
    "about",
    "this",
    "why",
    "how",
    "really",
    "good",
    "idea",
    "article",
    "example",
    "code",
    "data",
    "server",
    "cache",
    "thread",
    "comment",
    "reply",
    "page",
    "blog",
    "write",
    "later",
    "interesting",
    "useful",
    "question",
    "answer",
    "maybe",
    "think",
    "see",
    "know",
    "works",
    "fine",
    "slow",
    "fast",
    "test",
]
NAMES = ["Ann", "Bo", "Chidi", "Dana", "Emil", "Fatima", "Goran", "Hana", ""]


@dataclass(frozen=True)
class SeedComment:
    author: str
    text: str
    # Index of the earlier comment on the same page it replies to, if any.
    reply_to: int | None


def seed() -> dict[str, list[SeedComment]]:
    rng = random.Random(16)
    sizes = {THREAD_50: 50, THREAD_1000: 1000}
    sizes.update({uri: 5 + i % 2 for i, uri in enumerate(LISTING)})
    pages = {}
    for uri, size in sizes.items():
        comments = []
        for i in range(size):
            words = rng.choices(WORDS, k=rng.randint(8, 60))
            text = " ".join(words).capitalize() + "."
            if i % 7 == 3:
                text += " *Really* — see [the docs](https://example.org/docs)."
            reply_to = rng.randrange(i) if i and i % 5 == 0 else None
            comments.append(SeedComment(rng.choice(NAMES), text, reply_to))
        pages[uri] = comments
    return pages


def total(pages: dict[str, list[SeedComment]]) -> int:
    return sum(len(comments) for comments in pages.values())


def seed_talkback(app, site_slug: str) -> None:
    """Approved rows, rendered and sanitised as the worker would have left them."""
    from service.accounts import services as accounts
    from service.comments.models import Comment, Status, Thread
    from service.extensions import db
    from service.moderation.sanitise import render_comment

    with app.app_context():
        site = accounts.create_site(site_slug, "Bench", ["http://127.0.0.1"])
        db.session.commit()
        for uri, comments in seed().items():
            thread = Thread(site_id=site.id, uri=uri, title=f"Page {uri}")
            db.session.add(thread)
            db.session.flush()
            ids: list[int] = []
            for comment in comments:
                row = Comment(
                    site_id=site.id,
                    thread_id=thread.id,
                    parent_id=ids[comment.reply_to] if comment.reply_to is not None else None,
                    author_name=comment.author,
                    text=comment.text,
                    html=render_comment(comment.text),
                    status=Status.APPROVED,
                    spam_reasons=[],
                    signals={},
                )
                db.session.add(row)
                db.session.flush()
                ids.append(row.id)
        db.session.commit()


def seed_isso(port: int) -> None:
    """Through Isso's own API (POST /new), one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for uri, comments in seed().items():
            ids: list[int] = []
            for comment in comments:
                body = {"text": comment.text, "author": comment.author or None}
                # Isso fetches a new thread's page for its title unless it is given one.
                body["title"] = f"Page {uri}"
                if comment.reply_to is not None:
                    body["parent"] = ids[comment.reply_to]
                connection.request(
                    "POST",
                    f"/new?uri={uri}",
                    body=json.dumps(body),
                    headers={"Content-Type": "application/json"},
                )
                response = connection.getresponse()
                answer = response.read()
                if response.status != 201:
                    raise RuntimeError(f"Isso refused the seed: {response.status} {answer[:200]}")
                ids.append(json.loads(answer)["id"])
    finally:
        connection.close()


class Database:
    """The bench's own handle on Talkback's database and queue: backlogs, sends, counts."""

    def __init__(self, database_url: str, queue: str, site_slug: str):
        from service import create_app

        self.app = create_app(
            {
                "TALKBACK_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "TASKS_EAGER": False,
                "CELERY_BROKER_URL": REDIS_URL,
                "CELERY_QUEUE": queue,
                "PAGE_CACHE_URL": "none",
            }
        )
        self.queue = queue
        self.site_slug = site_slug

    def received(self) -> int:
        from sqlalchemy import func, select

        from service.comments.models import Comment, Status
        from service.extensions import db

        with self.app.app_context():
            return db.session.scalar(select(func.count()).where(Comment.status == Status.RECEIVED))

    def discard_received(self) -> int:
        """Delete comments still waiting (a burst measured without a worker); how many."""
        from sqlalchemy import delete

        from service.comments.models import Comment, Status
        from service.extensions import db

        with self.app.app_context():
            gone = db.session.execute(delete(Comment).where(Comment.status == Status.RECEIVED))
            db.session.commit()
            return gone.rowcount

    def wait_until_processed(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.received() == 0:
                return True
            time.sleep(0.05)
        return False

    def backlog(self, n: int, uri: str) -> list[int]:
        """n comments waiting in `received`, as readers would have left them."""
        from service.accounts.services import get_site
        from service.comments.models import Comment, Status
        from service.comments.services import get_or_create_thread
        from service.extensions import db

        rng = random.Random(uri)
        with self.app.app_context():
            site = get_site(self.site_slug)
            thread = get_or_create_thread(site, uri)
            rows = [
                Comment(
                    site_id=site.id,
                    thread_id=thread.id,
                    author_name=rng.choice(NAMES),
                    # Readers come from many networks; a few share one.
                    ip=f"203.0.{i % 250}.0",
                    text=" ".join(rng.choices(WORDS, k=rng.randint(8, 60))).capitalize() + ".",
                    status=Status.RECEIVED,
                    spam_reasons=[],
                    signals={"form_token": "valid", "form_age_seconds": 30.0},
                )
                for i in range(n)
            ]
            db.session.add_all(rows)
            db.session.commit()
            return [row.id for row in rows]

    def announce(self, ids: list[int]) -> None:
        """Tell the workers comments wait, as the web does on Redis: one wake-up message,
        whose worker routes every comment waiting (service/queue/wake.py)."""
        from service import queue

        celery = self.app.extensions["celery"]
        celery.send_task(queue.PROCESS_COMMENT, args=(ids[0],), queue=self.queue)

    def forget(self) -> None:
        """Remove this run's keys (page cache, queue) from the shared Redis."""
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{self.queue}*"):
            client.delete(key)
