"""JSON bodies that are valid JSON but no usable input: deep nesting, lone surrogates, bad URLs.

A reviewer's probe got a 500 from each before they were refused here with a stable code.
"""

from __future__ import annotations

import pytest

from service.accounts.models import Role

DEEP = "[" * 5000 + "]" * 5000


def _post_json(client, path, body: str, **headers):
    return client.post(path, data=body, content_type="application/json", headers=headers)


def test_deeply_nested_json_is_malformed_not_a_crash(client, site, make_moderator, make_comment):
    _, token = make_moderator(site, role=Role.OWNER)
    comment = make_comment(site, "Waiting.")
    bearer = {"Authorization": f"Bearer {token}"}
    for path in (
        "/api/v1/sites/blog/comments",
        "/api/v1/preview",
        f"/api/v1/comments/{comment.id}/approve",
    ):
        response = _post_json(client, path, DEEP, **bearer)
        assert response.status_code == 400, path
        assert response.get_json()["error"]["code"] == "malformed_json"
    response = client.patch(
        f"/api/v1/comments/{comment.id}", data=DEEP, content_type="application/json"
    )
    assert response.get_json()["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("field", ["text", "author", "email", "uri", "title", "form_token"])
def test_a_lone_surrogate_in_any_field_is_refused(client, site, field):
    body = {"uri": "/post", "text": "hello there", field: "a\ud800b"}
    response = client.post("/api/v1/sites/blog/comments", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_characters"


def test_a_lone_surrogate_in_a_key_an_edit_or_a_moderator_reason_is_refused(
    client, site, make_moderator, make_comment
):
    _, token = make_moderator(site)
    comment = make_comment(site, "Waiting.")
    response = _post_json(
        client, "/api/v1/sites/blog/comments", '{"uri": "/post", "text": "hi", "\\udfff": 1}'
    )
    assert response.get_json()["error"]["code"] == "invalid_characters"
    response = client.patch(f"/api/v1/comments/{comment.id}", json={"token": "\ud800", "text": "x"})
    assert response.get_json()["error"]["code"] == "invalid_characters"
    response = client.post(
        f"/api/v1/comments/{comment.id}/approve",
        json={"reason": "\udfff"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_characters"


def test_a_surrogate_pair_is_ordinary_text(client, site):
    response = _post_json(
        client, "/api/v1/sites/blog/comments", '{"uri": "/post", "text": "nice \\ud83d\\ude00"}'
    )
    assert response.status_code == 202, response.get_json()


@pytest.mark.parametrize(
    "website", ["http://[", "http://[::1", "[", "https://a.example:99999", "https://a.example:abc"]
)
def test_a_website_that_is_not_a_url_is_invalid_url(client, site, website):
    body = {"uri": "/post", "text": "hello there", "website": website}
    response = client.post("/api/v1/sites/blog/comments", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "invalid_url",
        "message": "website must be an http(s) address.",
        "field": "website",
    }


def test_the_demo_form_shows_a_bad_website_as_a_form_error(client, make_site):
    from tests.moderator_forms import csrf_token

    make_site("demo", origins=["http://localhost"])
    form = {"text": "hello there", "website": "http://[", "csrf_token": csrf_token(client, "/demo")}
    response = client.post("/demo/comments", data=form)
    assert response.status_code == 422
    assert "website must be an http(s) address." in response.get_data(as_text=True)


def test_names_and_titles_lose_line_breaks_and_bidi_controls(client, site):
    body = {
        "uri": "/bidi",
        "text": "hello there",
        "author": "Alice \u202emoc.elpmaxe@nimda",
        "title": "Post\r\nBcc: victim@example.org \u2066x\u2069",
    }
    response = client.post("/api/v1/sites/blog/comments", json=body)
    assert response.status_code == 202
    from service.comments.models import Comment, Thread
    from service.extensions import db

    comment = db.session.get(Comment, response.get_json()["id"])
    assert comment.author_name == "Alice moc.elpmaxe@nimda"
    assert db.session.get(Thread, comment.thread_id).title == "Post Bcc: victim@example.org x"


def test_the_demo_page_is_never_stored_by_a_shared_cache(client, make_site):
    make_site("demo", origins=["http://localhost"])
    for path in ("/demo", "/demo/embedded"):
        assert client.get(path).headers["Cache-Control"] == "private, no-store", path
