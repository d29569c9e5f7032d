"""The moderator JSON API: bearer tokens, the queue and decisions, site isolation."""

import pytest

from service.comments.models import Status
from service.extensions import db
from service.moderation.models import ModerationEvent


def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def moderator(site, make_moderator):
    return make_moderator(site)


def test_the_queue_needs_a_token(client, site):
    response = client.get("/api/v1/sites/blog/queue")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    response = client.get("/api/v1/sites/blog/queue", headers=auth("forged"))
    assert response.get_json()["error"]["code"] == "bad_token"


def test_the_queue_lists_pending_comments_highest_score_first(
    client, site, moderator, make_comment
):
    low = make_comment(site, "low", spam_score=0.1)
    high = make_comment(
        site,
        "high",
        spam_score=0.8,
        spam_reasons=[
            {"code": "many_links", "weight": 0.5, "detail": "The comment contains 3 links."}
        ],
    )
    make_comment(site, "done", status=Status.APPROVED, spam_score=0.9)
    body = client.get("/api/v1/sites/blog/queue", headers=auth(moderator[1])).get_json()
    assert [c["id"] for c in body["comments"]] == [high.id, low.id]
    assert body["comments"][0]["spam_reasons"][0]["detail"] == "The comment contains 3 links."


def test_the_queue_pages_by_cursor_without_gaps_or_repeats(client, site, moderator, make_comment):
    scores = [0.9, 0.5, 0.5, 0.5, 0.2, None]
    made = [make_comment(site, f"comment {n}", spam_score=s) for n, s in enumerate(scores)]
    # Highest score first, newest first among equals, comments not yet scored last.
    expected = [c.id for c in sorted(made[:5], key=lambda c: (-c.spam_score, -c.id))]
    expected.append(made[5].id)
    seen, after, pages = [], "", 0
    while True:
        url = f"/api/v1/sites/blog/queue?limit=2&after={after}"
        body = client.get(url, headers=auth(moderator[1])).get_json()
        seen += [c["id"] for c in body["comments"]]
        pages += 1
        assert (body["total"], body["total_capped"]) == (6, False)
        if body["next_cursor"] is None:
            break
        after = body["next_cursor"]
    assert seen == expected
    assert pages == 3


def test_a_comment_moderated_between_pages_does_not_shift_the_next_page(
    client, site, moderator, make_comment
):
    first, second, third = (
        make_comment(site, f"comment {n}", spam_score=s) for n, s in enumerate([0.9, 0.8, 0.7])
    )
    body = client.get("/api/v1/sites/blog/queue?limit=1", headers=auth(moderator[1])).get_json()
    assert [c["id"] for c in body["comments"]] == [first.id]
    client.post(f"/api/v1/comments/{first.id}/approve", headers=auth(moderator[1]))
    url = f"/api/v1/sites/blog/queue?limit=1&after={body['next_cursor']}"
    body = client.get(url, headers=auth(moderator[1])).get_json()
    assert [c["id"] for c in body["comments"]] == [second.id]


def test_a_bad_cursor_is_a_clear_error_and_offset_paging_still_works(
    client, site, moderator, make_comment
):
    response = client.get("/api/v1/sites/blog/queue?after=zz", headers=auth(moderator[1]))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_cursor"
    high, low = make_comment(site, "high", spam_score=0.8), make_comment(site, "low")
    url = "/api/v1/sites/blog/queue?offset=1"
    body = client.get(url, headers=auth(moderator[1])).get_json()
    assert [c["id"] for c in body["comments"]] == [low.id]
    assert body["next_cursor"] is None and high.id != low.id
    # A full page by offset hands over a cursor, so a client can switch to it.
    body = client.get("/api/v1/sites/blog/queue?offset=0&limit=1", headers=auth(moderator[1]))
    after = body.get_json()["next_cursor"]
    url = f"/api/v1/sites/blog/queue?limit=1&after={after}"
    assert [
        c["id"] for c in client.get(url, headers=auth(moderator[1])).get_json()["comments"]
    ] == [low.id]


def test_approving_publishes_the_comment_and_records_who_and_why(
    client, site, moderator, make_comment
):
    comment = make_comment(site, "good one")
    response = client.post(
        f"/api/v1/comments/{comment.id}/approve",
        json={"reason": "on topic"},
        headers=auth(moderator[1]),
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "approved"
    event = db.session.query(ModerationEvent).filter_by(comment_id=comment.id).one()
    assert (event.actor_id, event.reason) == (moderator[0].id, "on topic")
    thread = client.get("/api/v1/sites/blog/threads?uri=/post").get_json()
    assert [c["id"] for c in thread["comments"]] == [comment.id]


@pytest.mark.parametrize(("action", "status"), [("reject", "rejected"), ("spam", "spam")])
def test_reject_and_spam_keep_the_comment_unpublished(
    client, site, moderator, make_comment, action, status
):
    comment = make_comment(site)
    response = client.post(f"/api/v1/comments/{comment.id}/{action}", headers=auth(moderator[1]))
    assert response.get_json()["status"] == status
    assert client.get("/api/v1/sites/blog/threads?uri=/post").get_json()["total"] == 0


def test_an_illegal_decision_is_a_409(client, site, moderator, make_comment):
    comment = make_comment(site, status=Status.PENDING)
    response = client.post(f"/api/v1/comments/{comment.id}/ham", headers=auth(moderator[1]))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "illegal_transition"


def test_unknown_actions_and_ids_are_4xx(client, site, moderator):
    headers = auth(moderator[1])
    assert client.post("/api/v1/comments/1/publish", headers=headers).status_code == 404
    assert client.post("/api/v1/comments/abc/approve", headers=headers).status_code == 422
    assert client.post("/api/v1/comments/999/approve", headers=headers).status_code == 404


def test_a_moderator_of_one_site_cannot_see_or_act_on_another(
    client, make_site, make_moderator, make_comment
):
    site_a, site_b = make_site("site-a"), make_site("site-b")
    _, token_a = make_moderator(site_a, "a@example.org")
    foreign = make_comment(site_b, "b's comment")
    response = client.get("/api/v1/sites/site-b/queue", headers=auth(token_a))
    assert response.status_code == 403
    for action in ("approve", "reject", "spam", "ham", "delete"):
        response = client.post(f"/api/v1/comments/{foreign.id}/{action}", headers=auth(token_a))
        assert response.status_code == 404
    assert foreign.status == Status.PENDING


def test_a_revoked_token_stops_working(client, site, moderator):
    from service.accounts.models import ApiToken

    token = db.session.query(ApiToken).filter_by(moderator_id=moderator[0].id).one()
    from service.accounts.services import revoke_api_token

    revoke_api_token(token.id, moderator[0])
    assert client.get("/api/v1/sites/blog/queue", headers=auth(moderator[1])).status_code == 401
