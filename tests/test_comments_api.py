"""The public comment API: accepting, validating and reading threads."""

import pytest

from service.comments.models import Comment, Status
from service.extensions import db


def post(client, site="blog", **body):
    body.setdefault("uri", "/post")
    return client.post(f"/api/v1/sites/{site}/comments", json=body)


def test_a_valid_comment_is_accepted_with_202_and_an_edit_token(client, site):
    response = post(client, text="Nice post!", author="Ann")
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "received"
    assert len(body["edit_token"]) >= 32
    comment = db.session.get(Comment, body["id"])
    assert comment.text == "Nice post!"
    assert comment.edit_token_hash != body["edit_token"]


def test_eager_pipeline_moves_the_comment_to_pending_with_sanitised_html(client, site):
    body = post(client, text="Hello <script>alert(1)</script> **world**").get_json()
    comment = db.session.get(Comment, body["id"])
    assert comment.status == Status.PENDING
    assert "<script" not in comment.html
    assert "<strong>world</strong>" in comment.html


def test_the_ip_is_stored_truncated(client, site):
    body = client.post(
        "/api/v1/sites/blog/comments",
        json={"uri": "/post", "text": "hi"},
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    ).get_json()
    assert db.session.get(Comment, body["id"]).ip == "203.0.113.0"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "malformed_json"),
        (
            {"data": "text=hi", "content_type": "application/x-www-form-urlencoded"},
            415,
            "unsupported_media_type",
        ),
        ({"data": "[1, 2]", "content_type": "application/json"}, 400, "invalid_body"),
        ({"json": {"uri": "/post"}}, 422, "missing_field"),
        ({"json": {"uri": "/post", "text": "   "}}, 422, "missing_field"),
        ({"json": {"uri": "/post", "text": 42}}, 422, "invalid_type"),
        ({"json": {"uri": "/post", "text": "x" * 100_000}}, 422, "too_long"),
        ({"json": {"text": "hi"}}, 422, "missing_field"),
        ({"json": {"uri": "https://evil.example/", "text": "hi"}}, 422, "invalid_uri"),
        ({"json": {"uri": "//evil.example/", "text": "hi"}}, 422, "invalid_uri"),
        ({"json": {"uri": "/post", "text": "hi", "parent_id": 999}}, 422, "unknown_parent"),
        ({"json": {"uri": "/post", "text": "hi", "parent_id": "abc"}}, 422, "invalid_id"),
        ({"json": {"uri": "/post", "text": "hi", "parent_id": True}}, 422, "invalid_id"),
        ({"json": {"uri": "/post", "text": "hi", "parent_id": 2**63}}, 422, "invalid_id"),
        ({"json": {"uri": "/post", "text": "hi", "email": "not-an-email"}}, 422, "invalid_email"),
        (
            {"json": {"uri": "/post", "text": "hi", "website": "javascript:alert(1)"}},
            422,
            "invalid_url",
        ),
        ({"json": {"uri": "/post", "text": "hi", "author": ["x"]}}, 422, "invalid_type"),
        ({"json": {"uri": "/post", "text": "hi", "author": "a" * 101}}, 422, "too_long"),
    ],
)
def test_bad_input_gets_a_4xx_json_error_with_a_stable_code(client, site, kwargs, status, code):
    response = client.post("/api/v1/sites/blog/comments", **kwargs)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_an_oversized_body_is_refused_with_413(client, site):
    response = client.post(
        "/api/v1/sites/blog/comments",
        data='{"uri": "/post", "text": "' + "x" * 300_000 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_an_unknown_site_is_404(client, site):
    response = post(client, site="nope", text="hi")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_site"


@pytest.mark.parametrize("comment_id", ["abc", "0", "-1", "1.5", "99999999999999999999"])
def test_non_integer_ids_are_refused_not_crashed(client, site, comment_id):
    response = client.get(f"/api/v1/comments/{comment_id}?token=x")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_id"


def test_unknown_routes_and_methods_answer_json(client, site):
    assert client.get("/api/v1/nothing").get_json()["error"]["code"] == "not_found"
    response = client.delete("/api/v1/sites/blog/threads?uri=/post")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_thread_shows_only_approved_comments_in_posting_order(client, site, make_comment):
    first = make_comment(site, "first", status=Status.APPROVED)
    make_comment(site, "waiting", status=Status.PENDING)
    make_comment(site, "junk", status=Status.SPAM)
    reply = make_comment(site, "reply", status=Status.APPROVED, parent_id=first.id)
    body = client.get("/api/v1/sites/blog/threads?uri=/post").get_json()
    assert body["total"] == 2
    assert [c["id"] for c in body["comments"]] == [first.id, reply.id]
    assert body["comments"][1]["parent_id"] == first.id
    # The same for every reader, so it can be cached: the form token is a request of its own.
    assert "form_token" not in body


def test_an_unknown_uri_is_an_empty_thread(client, site):
    body = client.get("/api/v1/sites/blog/threads?uri=/never-commented").get_json()
    assert body["total"] == 0
    assert body["comments"] == []
    assert body["thread"]["id"] is None


def test_thread_pages_with_a_cursor(client, site, make_comment):
    ids = [make_comment(site, f"c{i}", status=Status.APPROVED).id for i in range(5)]
    page1 = client.get("/api/v1/sites/blog/threads?uri=/post&limit=2").get_json()
    assert [c["id"] for c in page1["comments"]] == ids[:2]
    page2 = client.get(
        f"/api/v1/sites/blog/threads?uri=/post&limit=2&after={page1['next_after']}"
    ).get_json()
    assert [c["id"] for c in page2["comments"]] == ids[2:4]
    last = client.get(f"/api/v1/sites/blog/threads?uri=/post&after={ids[3]}").get_json()
    assert [c["id"] for c in last["comments"]] == ids[4:]
    assert last["next_after"] is None


def test_thread_without_uri_is_a_validation_error(client, site):
    response = client.get("/api/v1/sites/blog/threads")
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "uri"


def test_counts_for_several_pages_in_one_request(client, site, make_comment):
    make_comment(site, "a", uri="/a", status=Status.APPROVED)
    make_comment(site, "b", uri="/a", status=Status.APPROVED)
    make_comment(site, "c", uri="/b", status=Status.PENDING)
    body = client.get("/api/v1/sites/blog/counts?uri=/a&uri=/b&uri=/c").get_json()
    assert body["counts"] == {"/a": 2, "/b": 0, "/c": 0}


def test_the_author_sees_their_own_pending_comment_with_the_token(client, site):
    body = post(client, text="mine").get_json()
    own = client.get(f"/api/v1/comments/{body['id']}?token={body['edit_token']}")
    assert own.status_code == 200
    assert own.get_json()["status"] == "pending"
    wrong = client.get(f"/api/v1/comments/{body['id']}?token=guess")
    assert wrong.status_code == 403
    assert wrong.get_json()["error"]["code"] == "bad_token"


def test_a_reply_to_an_approved_comment_is_accepted(client, site, make_comment):
    parent = make_comment(site, "parent", status=Status.APPROVED)
    response = post(client, text="reply", parent_id=parent.id)
    assert response.status_code == 202


def test_a_reply_to_a_comment_on_another_page_is_refused(client, site, make_comment):
    parent = make_comment(site, "elsewhere", uri="/other", status=Status.APPROVED)
    response = post(client, text="reply", parent_id=parent.id)
    assert response.get_json()["error"]["code"] == "unknown_parent"


def test_preview_renders_markdown_safely(client, site):
    body = client.post("/api/v1/preview", json={"text": "*hi* <img src=x onerror=alert(1)>"})
    assert body.get_json()["html"] == "<p><em>hi</em> </p>"
