"""Readers without JavaScript: the /t/ page has a comment form that needs no cookie (the
signed form token instead), shows the reader's own pending comment, links back to the post,
and carries the share links as plain anchors."""

from __future__ import annotations

import re

from service.comments.models import Comment, Status
from service.extensions import db

TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


def _form_token(client, uri: str = "/post") -> str:
    return TOKEN_RE.search(client.get(f"/t/blog?uri={uri}").get_data(as_text=True)).group(1)


def test_a_reader_posts_without_javascript_and_sees_it_awaiting_moderation(client, site):
    data = {
        "uri": "/post",
        "author": "Noscript Nora",
        "text": "Plain **HTML** works.",
        "form_token": _form_token(client),
    }
    response = client.post("/t/blog/comments", data=data)
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    location = response.headers["Location"]
    assert location.startswith("/t/blog?uri=/post&posted=") and location.endswith("#your-comment")

    page = client.get(location).get_data(as_text=True)
    assert 'id="your-comment"' in page
    assert "Noscript Nora" in page and "<strong>HTML</strong>" in page  # sanitised preview
    assert "Awaiting moderation" in page
    assert "1 comment" in page and "Be the first" not in page
    assert 'href="https://blog.example/post"' in page  # back to the post on the blog
    comment = db.session.scalar(db.select(Comment))
    assert comment.status in (Status.RECEIVED, Status.PENDING)
    # Someone else's copy of the page without the receipt does not show it.
    assert "Noscript Nora" not in client.get("/t/blog?uri=/post").get_data(as_text=True)


def test_the_form_refuses_a_post_without_a_valid_form_token(client, site):
    for token in ("", "forged.token.value"):
        data = {"uri": "/post", "text": "From another site's form", "form_token": token}
        response = client.post("/t/blog/comments", data=data)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "renewed" in page and "From another site&#39;s form" in page  # kept for resending
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0


def test_a_tampered_or_foreign_receipt_shows_nothing(client, site, make_site):
    data = {"uri": "/post", "text": "Mine", "form_token": _form_token(client)}
    location = client.post("/t/blog/comments", data=data).headers["Location"]
    receipt = re.search(r"posted=([^&#]+)", location).group(1)
    assert "Awaiting moderation" not in client.get(f"/t/blog?uri=/other&posted={receipt}").get_data(
        as_text=True
    )
    assert "Awaiting moderation" not in client.get(
        f"/t/blog?uri=/post&posted={receipt[:-2]}xx"
    ).get_data(as_text=True)


def test_invalid_input_is_shown_on_the_page_not_a_500(client, site):
    data = {"uri": "/post", "text": "", "form_token": _form_token(client)}
    response = client.post("/t/blog/comments", data=data)
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    # Neither a form token nor a page address: the JSON error, not a page.
    bare = client.post("/t/blog/comments", data={"uri": "nope"})
    assert bare.status_code == 400
    assert bare.get_json()["error"]["code"] == "invalid_form_token"


def test_the_noscript_link_opens_the_thread_of_the_page_it_was_on(client, site):
    response = client.get("/t/blog", headers={"Referer": "https://blog.example/2025/post/?x=1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/t/blog?uri=/2025/post/"
    # Not a page of this site: no redirect, just the missing-uri error.
    stranger = client.get("/t/blog", headers={"Referer": "https://evil.example/post"})
    assert stranger.status_code == 422


def test_share_links_are_plain_anchors_once_the_thread_exists(client, site, make_comment):
    make_comment(site, "Published", status=Status.APPROVED)
    page = client.get("/t/blog?uri=/post").get_data(as_text=True)
    assert 'href="http://localhost/s/blog/' in page and "<script" not in page
    assert "Get link" in page and "Other apps" in page
