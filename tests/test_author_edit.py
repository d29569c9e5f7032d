"""Authors may edit or delete their own comment, with its edit token, for a limited time."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from service.accounts.models import ModerationPolicy
from service.comments.models import Comment, Status
from service.extensions import db
from service.moderation.models import ModerationEvent
from service.timeutil import utcnow


def post(client, text="First words.", site="blog"):
    response = client.post(f"/api/v1/sites/{site}/comments", json={"uri": "/post", "text": text})
    assert response.status_code == 202
    return response.get_json()


def edit(client, comment_id, token, text):
    return client.patch(f"/api/v1/comments/{comment_id}", json={"token": token, "text": text})


def events(comment_id):
    query = select(ModerationEvent).where(ModerationEvent.comment_id == comment_id)
    return list(db.session.scalars(query.order_by(ModerationEvent.id)))


def set_status(comment_id, status):
    comment = db.session.get(Comment, comment_id)
    comment.status = status
    db.session.commit()


def test_an_author_edit_re_renders_and_re_scores_the_comment(client, site):
    made = post(client)
    response = edit(client, made["id"], made["edit_token"], "Second *thoughts*.")
    assert response.status_code == 200
    body = response.get_json()
    assert body["text"] == "Second *thoughts*."
    assert body["html"] == "<p>Second <em>thoughts</em>.</p>"
    assert body["status"] == Status.PENDING
    assert body["can_edit"] is True
    comment = db.session.get(Comment, made["id"])
    assert comment.spam_score is not None


def test_editing_an_approved_comment_sends_it_back_for_review_under_hold_all(client, site):
    made = post(client)
    set_status(made["id"], Status.APPROVED)
    body = edit(client, made["id"], made["edit_token"], "Now with different words.").get_json()
    assert body["status"] == Status.PENDING
    last = events(made["id"])[-1]
    assert (last.from_status, last.to_status) == (Status.APPROVED, Status.PENDING)
    assert last.reason.startswith("edited by author")
    assert last.actor_id is None


def test_editing_under_post_moderation_keeps_an_approved_comment_published(client, make_site):
    make_site("open", moderation_policy=ModerationPolicy.POST_MODERATION)
    made = post(client, site="open")
    assert db.session.get(Comment, made["id"]).status == Status.APPROVED
    before = len(events(made["id"]))
    body = edit(client, made["id"], made["edit_token"], "A small fix.").get_json()
    assert body["status"] == Status.APPROVED
    assert body["html"] == "<p>A small fix.</p>"
    assert len(events(made["id"])) == before  # no status change, so no transition
    # Readers see that the words changed after posting.
    [shown] = client.get("/api/v1/sites/open/threads?uri=/post").get_json()["comments"]
    assert shown["edited"] == body["edited"] and body["edited"] >= body["created"]
    page = client.get("/t/open?uri=/post").get_data(as_text=True)
    assert f'<i class="tb-ed" title="{body["edited"]}">edited</i>' in page


def test_a_new_or_unchanged_comment_is_not_marked_edited(client, site):
    made = post(client)
    assert made.get("edited") is None
    body = edit(client, made["id"], made["edit_token"], "First words.").get_json()
    assert body["edited"] is None


@pytest.mark.parametrize("status", [Status.SPAM, Status.REJECTED])
def test_a_decided_spam_or_rejected_comment_cannot_be_laundered_by_editing(client, site, status):
    made = post(client)
    set_status(made["id"], status)
    response = edit(client, made["id"], made["edit_token"], "Totally different now.")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "not_editable"
    assert db.session.get(Comment, made["id"]).text == "First words."


def test_edit_needs_the_right_token(client, site):
    made = post(client)
    response = edit(client, made["id"], "not-the-token", "Hijacked.")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "bad_token"
    assert db.session.get(Comment, made["id"]).text == "First words."


def test_edit_and_delete_are_refused_once_the_window_has_closed(client, site, app):
    made = post(client)
    comment = db.session.get(Comment, made["id"])
    comment.created_at = utcnow() - timedelta(seconds=app.config["EDIT_WINDOW_SECONDS"] + 1)
    db.session.commit()
    response = edit(client, made["id"], made["edit_token"], "Too late.")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "edit_window_closed"
    response = client.delete(f"/api/v1/comments/{made['id']}?token={made['edit_token']}")
    assert response.get_json()["error"]["code"] == "edit_window_closed"
    assert db.session.get(Comment, made["id"]).status == Status.PENDING


@pytest.mark.parametrize(
    ("body", "code"),
    [({"text": "   "}, "missing_field"), ({"text": 7}, "invalid_type"), ({}, "missing_field")],
)
def test_edit_validates_the_text_like_a_new_comment(client, site, body, code):
    made = post(client)
    response = client.patch(
        f"/api/v1/comments/{made['id']}", json={"token": made["edit_token"], **body}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code


def test_editing_an_unknown_comment_is_a_json_404(client, site):
    response = edit(client, 424242, "whatever", "Hello")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "unknown_comment"


def test_an_author_deletes_their_comment_with_an_audited_event(client, site):
    made = post(client)
    response = client.delete(f"/api/v1/comments/{made['id']}?token={made['edit_token']}")
    assert response.status_code == 200
    assert response.get_json() == {"id": made["id"], "status": Status.DELETED}
    last = events(made["id"])[-1]
    assert (last.to_status, last.reason, last.actor_id) == (
        Status.DELETED,
        "deleted by author",
        None,
    )
    # Deleted is final: the author view and a second delete both say it is gone.
    gone = client.get(f"/api/v1/comments/{made['id']}?token={made['edit_token']}")
    assert gone.status_code == 404
    again = client.delete(f"/api/v1/comments/{made['id']}?token={made['edit_token']}")
    assert again.status_code == 404


def test_a_deleted_comment_leaves_the_public_thread(client, site):
    made = post(client)
    set_status(made["id"], Status.APPROVED)
    assert client.get("/api/v1/sites/blog/threads?uri=/post").get_json()["total"] == 1
    client.delete(f"/api/v1/comments/{made['id']}?token={made['edit_token']}")
    assert client.get("/api/v1/sites/blog/threads?uri=/post").get_json()["total"] == 0


def test_delete_without_a_token_is_forbidden(client, site):
    made = post(client)
    response = client.delete(f"/api/v1/comments/{made['id']}")
    assert response.status_code == 403
    assert db.session.get(Comment, made["id"]).status == Status.PENDING


def test_a_comment_the_worker_has_not_processed_yet_only_gets_its_text_replaced(client, site):
    made = post(client)
    set_status(made["id"], Status.RECEIVED)
    body = edit(client, made["id"], made["edit_token"], "Changed before processing.").get_json()
    assert body["status"] == Status.RECEIVED  # the worker will render and route the new text
    assert db.session.get(Comment, made["id"]).text == "Changed before processing."
