"""Web processes load only what serving readers and posting comments needs.

scikit-learn, SciPy and NumPy (about 130 MB per gunicorn worker) live in the worker, which
scores comments. What only a command, a dashboard page or a rarer endpoint uses is imported
there, not by every web worker: Alembic (`flask db`), qrcode and Pillow (the QR endpoint),
BeautifulSoup (preview-tag checks), the import formats, argon2 (sign-in), the OpenAPI
description; bleach and markdown-it load with the first comment rendered, `regex` with the
first share menu (not for the widget's JSON).
`bench/bench_memory.py` measures what this is worth per worker.

Checked in a fresh interpreter, since this test process has imported them long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT

SERVE_READERS_THEN_A_POST = """
import json, sys
from service import create_app
from service.accounts import services as accounts
from service.extensions import db

app = create_app({
    "TALKBACK_ENV": "testing",
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "TASKS_EAGER": False,  # a real web process hands comments to the broker
    "CELERY_BROKER_URL": "memory://",
})
with app.app_context():
    db.create_all()
    accounts.create_site("blog", "Blog", ["https://blog.example"])
    db.session.commit()
client = app.test_client()


def loaded(names):
    return sorted(m for m in names if m in sys.modules)


NEVER = sys.argv[1].split(",")
RENDERING = sys.argv[2].split(",")
SHARE_TEXT = sys.argv[3].split(",")
answers = [
    client.get("/api/v1/sites/blog/threads?uri=/p"),
    client.get("/api/v1/sites/blog/counts?uri=/p"),
    client.get("/api/v1/sites/blog/form-token"),
]
after_json = loaded(NEVER + RENDERING + SHARE_TEXT)
answers += [
    client.get("/t/blog?uri=/p"),
    client.get("/api/v1/sites/blog/shares?url=https://blog.example/p"),
]
after_reads = loaded(NEVER + RENDERING)
answers += [
    client.post("/api/v1/sites/blog/comments", json={"uri": "/p", "text": "Hi *there*"}),
    client.get("/api/v1/sites/blog/threads?uri=/p"),
    client.post("/api/v1/preview", json={"text": "*x*"}),
]
print(json.dumps({
    "statuses": [answer.status_code for answer in answers],
    "after_json": after_json,
    "share_text_after_reads": loaded(SHARE_TEXT),
    "after_reads": after_reads,
    "after_posting": loaded(NEVER),
    "rendering_after_posting": loaded(RENDERING),
}))
"""
# Never in a web process that serves readers and takes comments.
NEVER = [
    "sklearn",
    "scipy",
    "numpy",
    "joblib",
    "alembic",
    "flask_migrate",
    "mako",
    "pygments",
    "qrcode",
    "PIL",
    "bs4",
    "defusedxml",
    "tqdm",
    "argon2",
    "service.porting.formats",
    "service.openapi.document",
]
# Loaded by the first comment rendered (the POST answer shows the author their comment).
RENDERING = ["bleach", "markdown_it"]
# Loaded by the first share menu measured for a network (the no-JS page shows one).
SHARE_TEXT = ["regex"]


def serve(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SERVE_READERS_THEN_A_POST, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_web_process_serves_readers_and_a_post_without_the_libraries_it_does_not_use():
    report = serve(",".join(NEVER), ",".join(RENDERING), ",".join(SHARE_TEXT))
    assert report["statuses"] == [200, 200, 200, 200, 200, 202, 200, 200]
    assert report["after_json"] == []
    assert report["share_text_after_reads"] == SHARE_TEXT
    assert report["after_reads"] == []
    assert report["after_posting"] == []
    # The probe is not blind: rendering does load what it names.
    assert report["rendering_after_posting"] == RENDERING
