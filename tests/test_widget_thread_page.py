"""The thread as plain HTML (/t/<site>?uri=): threaded, counted and paged without JavaScript."""

import re

from service.comments.models import Status
from service.widget import views
from service.widget.services import nest


def c(comment_id, parent_id=None):
    return {"id": comment_id, "parent_id": parent_id}


def shape(nodes):
    return [(n.comment["id"], n.nested, shape(n.replies)) for n in nodes]


def test_replies_nest_under_their_parents_in_posting_order():
    tree = nest([c(1), c(2, 1), c(3), c(4, 2), c(5, 1)])
    assert shape(tree) == [
        (1, False, [(2, True, [(4, True, [])]), (5, True, [])]),
        (3, False, []),
    ]


def test_replies_deeper_than_the_limit_sit_beside_their_parent():
    tree = nest([c(1), c(2, 1), c(3, 2), c(4, 3)], max_depth=2)
    assert shape(tree) == [(1, False, [(2, True, []), (3, False, []), (4, False, [])])]


def test_a_reply_whose_parent_is_not_on_the_page_starts_its_own_branch():
    assert shape(nest([c(7, 3), c(8, 7)])) == [(7, False, [(8, True, [])])]


def test_the_page_shows_approved_comments_threaded_and_escaped(client, site, make_comment):
    parent = make_comment(site, "Parent", status=Status.APPROVED, author_name="<b>Ann</b>")
    make_comment(site, "Reply", status=Status.APPROVED, parent_id=parent.id)
    make_comment(site, "Held back", status=Status.PENDING)
    response = client.get("/t/blog?uri=/post")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "2 comments" in page
    assert "Held back" not in page
    assert "&lt;b&gt;Ann&lt;/b&gt;" in page
    # The reply is inside the parent's nested list.
    parent_item = page[page.index(f'id="comment-{parent.id}"') :]
    assert parent_item.index('class="tb-r"') < parent_item.index("<p>Reply</p>")
    assert "Set-Cookie" not in response.headers
    assert "<script" not in page


def test_the_page_links_to_more_comments_when_there_are_many(
    client, site, make_comment, monkeypatch
):
    monkeypatch.setattr(views, "THREAD_PAGE_SIZE", 2)
    ids = [make_comment(site, f"Number {n}", status=Status.APPROVED).id for n in range(5)]
    first = client.get("/t/blog?uri=/post").get_data(as_text=True)
    assert "5 comments" in first and "Number 1" in first and "Number 2" not in first
    next_link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert next_link.endswith(f"after={ids[1]}")
    second = client.get(next_link).get_data(as_text=True)
    assert "Number 2" in second and "Number 3" in second and "Number 1" not in second
    assert "First comments" in second


def test_an_empty_or_unknown_thread_is_a_page_not_an_error(client, site):
    response = client.get("/t/blog?uri=/nothing-here")
    assert response.status_code == 200
    assert "No comments yet." in response.get_data(as_text=True)


def test_bad_input_gets_the_json_error_shape(client, site):
    assert client.get("/t/blog?uri=https://evil.example/").get_json()["error"]["code"] == (
        "invalid_uri"
    )
    assert client.get("/t/nosuchsite?uri=/post").status_code == 404
    assert client.get("/t/blog?uri=/post&after=x").status_code == 422
