"""Web processes never load the spam model's libraries: scikit-learn, SciPy and NumPy
(about 130 MB per gunicorn worker) live in the worker, which scores comments.

Checked in a fresh interpreter, since this test process has imported them long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT

SERVE_EVERYTHING_A_READER_DOES = """
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
answers = [
    client.post("/api/v1/sites/blog/comments", json={"uri": "/p", "text": "Hi *there*"}),
    client.get("/api/v1/sites/blog/threads?uri=/p"),
    client.get("/api/v1/sites/blog/counts?uri=/p"),
    client.get("/api/v1/sites/blog/form-token"),
    client.get("/t/blog?uri=/p"),
    client.post("/api/v1/preview", json={"text": "*x*"}),
]
print(json.dumps({
    "statuses": [answer.status_code for answer in answers],
    "loaded": sorted(m for m in ("sklearn", "scipy", "numpy", "joblib") if m in sys.modules),
}))
"""


def test_a_web_process_serves_readers_without_scikit_learn_scipy_or_numpy():
    result = subprocess.run(
        [sys.executable, "-c", SERVE_EVERYTHING_A_READER_DOES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["statuses"] == [202, 200, 200, 200, 200, 200]
    assert report["loaded"] == []
