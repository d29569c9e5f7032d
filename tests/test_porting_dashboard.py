"""The owner's import/export page: downloads, an uploaded import run as a task with
progress and result, the size limit, and nobody but the owner."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from sqlalchemy import func, select

from service.comments.models import Comment, Status
from service.extensions import db
from service.porting.models import ImportJob
from tests.moderator_forms import csrf_token
from tests.porting_support import DISQUS_HEAD, disqus_post, disqus_thread

PAGE = "/moderate/sites/blog/transfer"
DISQUS = (
    DISQUS_HEAD
    + disqus_thread("1", "https://blog.example/a", "A")
    + disqus_post("10", "1", "<p>Parent</p>")
    + disqus_post("11", "1", "<p>Child</p>", parent="10")
    + "</disqus>\n"
)


def upload(client, content: bytes, source: str = "disqus", **flags):
    data = {
        "csrf_token": csrf_token(client, PAGE),
        "source": source,
        "file": (io.BytesIO(content), "export.xml"),
        **{flag: "on" for flag, on in flags.items() if on},
    }
    return client.post("/moderate/sites/blog/import", data=data, content_type="multipart/form-data")


def test_the_owner_downloads_both_exports(owner_client, site, make_comment):
    make_comment(site, "Hello 👋", status=Status.APPROVED)

    as_json = owner_client.get("/moderate/sites/blog/export.json")
    as_xml = owner_client.get("/moderate/sites/blog/export.xml")

    assert 'filename="talkback-blog-json.json"' in as_json.headers["Content-Disposition"]
    assert json.loads(as_json.data)["threads"][0]["comments"][0]["text"] == "Hello 👋"
    assert as_xml.mimetype == "application/xml" and b"<disqus" in as_xml.data


def test_an_uploaded_import_runs_as_a_task_and_reports_progress(owner_client, site):
    answer = upload(owner_client, DISQUS.encode())

    assert answer.status_code == 303
    job_page = owner_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "done" in job_page and "imported 2 comment(s) on 1 page(s)" in job_page
    assert re.search(r'<progress max="(\d+)" value="\1"', job_page)  # 100%
    child = db.session.scalar(select(Comment).where(Comment.text == "<p>Child</p>"))
    assert child.parent.text == "<p>Parent</p>"
    job = db.session.scalar(select(ImportJob))
    assert job.status == "done" and not job.path.endswith(".xml")

    upload(owner_client, DISQUS.encode())  # the same file again
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 2


def test_a_bad_upload_ends_as_a_failed_job_naming_the_line(owner_client, site):
    answer = upload(owner_client, b"<disqus><post>\n")

    page = owner_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "failed" in page and "not well-formed XML" in page


def test_a_dry_run_upload_writes_nothing(owner_client, site):
    answer = upload(owner_client, DISQUS.encode(), dry_run=True)

    assert "would import 2 comment(s)" in owner_client.get(answer.headers["Location"]).get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_uploads_are_size_limited_and_checked(app, owner_client, site):
    app.config["IMPORT_UPLOAD_MAX_BYTES"] = 1000

    too_big = upload(owner_client, b"x" * 200_000)
    unknown = upload(owner_client, b"data", source="commento")

    assert too_big.status_code == 413
    assert unknown.status_code == 422 and "Choose one of the listed formats" in unknown.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_only_the_owner_gets_in(moderator_client, site, app):
    assert moderator_client.get(PAGE).status_code == 403
    assert moderator_client.get("/moderate/sites/blog/export.json").status_code == 403
    assert app.test_client().get(PAGE).status_code == 302  # to the sign-in page


def test_an_upload_far_above_the_apis_256_kb_limit_is_accepted(owner_client, site):
    posts = "".join(
        disqus_post(str(n), "1", f"<p>Comment {n} {'x' * 300}</p>") for n in range(1500)
    )
    big = DISQUS_HEAD + disqus_thread("1", "https://blog.example/a") + posts + "</disqus>\n"
    assert len(big) > 600_000

    answer = upload(owner_client, big.encode())

    assert answer.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1500


def test_web_and_worker_share_the_upload_folder_in_the_compose_stack():
    import yaml

    compose = yaml.safe_load(
        (Path(__file__).resolve().parent.parent / "docker-compose.yml").read_text()
    )
    for name in ("web", "worker"):
        assert "imports:/app/instance/imports" in compose["services"][name]["volumes"]
