"""Moderator decisions from the dashboard: single, bulk, select-all, undo, edit, and the audit log."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from service.comments.models import Status
from service.extensions import db
from service.moderation import queue as moderation_queue
from service.moderation.models import ModerationEvent
from tests.moderator_forms import post_form, signed_in


def events_for(comment) -> list[tuple[str, str, str | None, str]]:
    rows = db.session.scalars(
        select(ModerationEvent)
        .where(ModerationEvent.comment_id == comment.id)
        .order_by(ModerationEvent.id)
    )
    return [
        (e.from_status, e.to_status, e.actor.email if e.actor else None, e.reason) for e in rows
    ]


@pytest.mark.parametrize(
    "start, action, end",
    [
        (Status.PENDING, "approve", Status.APPROVED),
        (Status.PENDING, "reject", Status.REJECTED),
        (Status.PENDING, "spam", Status.SPAM),
        (Status.SPAM, "ham", Status.PENDING),
        (Status.SPAM, "approve", Status.APPROVED),
        (Status.APPROVED, "reject", Status.REJECTED),
        (Status.PENDING, "delete", Status.DELETED),
    ],
)
def test_each_action_moves_the_comment_and_is_audited(
    moderator_client, site, make_comment, start, action, end
):
    comment = make_comment(site, status=start)
    response = post_form(
        moderator_client,
        f"/moderate/comments/{comment.id}/{action}",
        {"next": "/moderate/queue?status=spam"},
    )
    assert response.status_code == 302
    assert response.location == "/moderate/queue?status=spam"
    assert db.session.get(type(comment), comment.id).status == end
    assert events_for(comment) == [(start, end, "mod@example.org", f"dashboard: {action}")]


def test_an_approved_comment_is_published_in_the_thread(moderator_client, site, make_comment):
    comment = make_comment(site, "Worth reading", uri="/essay")
    post_form(moderator_client, f"/moderate/comments/{comment.id}/approve")
    thread = moderator_client.get("/api/v1/sites/blog/threads?uri=/essay").get_json()
    assert [c["id"] for c in thread["comments"]] == [comment.id]


def test_an_illegal_move_is_skipped_not_crashed(moderator_client, site, make_comment):
    comment = make_comment(site, status=Status.PENDING)
    response = post_form(moderator_client, f"/moderate/comments/{comment.id}/ham")
    assert response.status_code == 302
    assert comment.status == Status.PENDING
    assert "1 skipped" in moderator_client.get("/moderate/queue").get_data(as_text=True)


def test_unknown_action_is_404(moderator_client, site, make_comment):
    comment = make_comment(site)
    assert (
        post_form(moderator_client, f"/moderate/comments/{comment.id}/publish").status_code == 404
    )


def test_bulk_acts_on_the_selected_comments_only(moderator_client, site, make_comment):
    chosen = [make_comment(site, f"chosen {i}") for i in range(3)]
    untouched = make_comment(site, "left alone")
    response = post_form(
        moderator_client, "/moderate/bulk", {"action": "reject", "ids": [str(c.id) for c in chosen]}
    )
    assert response.status_code == 302
    assert [c.status for c in chosen] == [Status.REJECTED] * 3
    assert untouched.status == Status.PENDING


def test_bulk_select_all_matching_uses_the_filter_not_the_page(
    moderator_client, site, make_comment, monkeypatch
):
    monkeypatch.setattr(moderation_queue, "BULK_BATCH", 2)
    spam = [make_comment(site, f"casino {i}", spam_score=0.8) for i in range(5)]
    keep = make_comment(site, "a real comment", spam_score=0.8)
    post_form(moderator_client, "/moderate/bulk", {"action": "spam", "scope": "all", "q": "casino"})
    assert [c.status for c in spam] == [Status.SPAM] * 5
    assert keep.status == Status.PENDING


def test_undo_restores_the_last_action_then_the_one_before(moderator_client, site, make_comment):
    first = make_comment(site, "first")
    batch = [make_comment(site, f"batch {i}") for i in range(2)]
    post_form(moderator_client, f"/moderate/comments/{first.id}/approve")
    post_form(
        moderator_client, "/moderate/bulk", {"action": "reject", "ids": [str(c.id) for c in batch]}
    )

    post_form(moderator_client, "/moderate/undo")
    assert [c.status for c in batch] == [Status.PENDING, Status.PENDING]
    assert first.status == Status.APPROVED
    assert events_for(batch[0])[-1] == (
        Status.REJECTED,
        Status.PENDING,
        "mod@example.org",
        "undo reject",
    )

    post_form(moderator_client, "/moderate/undo")
    assert first.status == Status.PENDING
    response = post_form(moderator_client, "/moderate/undo", follow_redirects=True)
    assert "Nothing to undo." in response.get_data(as_text=True)


def test_undo_leaves_alone_a_comment_someone_else_moved_since(
    app, moderator_client, site, make_comment
):
    comment = make_comment(site)
    post_form(moderator_client, f"/moderate/comments/{comment.id}/approve")
    colleague = signed_in(app, site, "colleague@example.org")
    post_form(colleague, f"/moderate/comments/{comment.id}/spam")
    post_form(moderator_client, "/moderate/undo")
    assert comment.status == Status.SPAM


def test_undo_is_per_session(app, moderator_client, site, make_comment):
    comment = make_comment(site)
    post_form(moderator_client, f"/moderate/comments/{comment.id}/approve")
    colleague = signed_in(app, site, "colleague@example.org")
    post_form(colleague, "/moderate/undo")
    assert comment.status == Status.APPROVED


def test_delete_is_final_and_not_undoable(moderator_client, site, make_comment):
    comment = make_comment(site)
    post_form(moderator_client, f"/moderate/comments/{comment.id}/delete")
    post_form(moderator_client, "/moderate/undo")
    assert comment.status == Status.DELETED


def test_edit_re_sanitises_and_is_audited(moderator_client, site, make_comment):
    comment = make_comment(site, "typo")
    form = moderator_client.get(f"/moderate/comments/{comment.id}/edit")
    assert form.status_code == 200
    response = post_form(
        moderator_client,
        f"/moderate/comments/{comment.id}/edit",
        {"text": "**fixed** <script>alert(1)</script>", "next": "/moderate/queue"},
    )
    assert response.status_code == 302
    assert comment.text == "**fixed** <script>alert(1)</script>"
    assert "<strong>fixed</strong>" in comment.html
    assert "<script>" not in comment.html
    assert comment.edited_at is not None  # readers see an "edited" marker
    assert events_for(comment) == [
        (Status.PENDING, Status.PENDING, "mod@example.org", "edited by moderator")
    ]


def test_empty_edit_is_refused(moderator_client, site, make_comment):
    comment = make_comment(site, "keep me")
    response = post_form(moderator_client, f"/moderate/comments/{comment.id}/edit", {"text": "   "})
    assert response.status_code == 422
    assert comment.text == "keep me"


def test_audit_log_lists_and_filters_events(app, moderator_client, site, make_comment):
    one, two = make_comment(site, "one"), make_comment(site, "two")
    post_form(moderator_client, f"/moderate/comments/{one.id}/approve")
    colleague = signed_in(app, site, "colleague@example.org")
    post_form(colleague, f"/moderate/comments/{two.id}/spam")

    page = moderator_client.get("/moderate/audit").get_data(as_text=True)
    assert "pending → approved" in page and "pending → spam" in page

    by_actor = moderator_client.get("/moderate/audit?actor=colleague@example.org").get_data(
        as_text=True
    )
    assert "pending → spam" in by_actor and "pending → approved" not in by_actor

    by_action = moderator_client.get("/moderate/audit?action=approved").get_data(as_text=True)
    assert "pending → approved" in by_action and "pending → spam" not in by_action

    future = moderator_client.get("/moderate/audit?date_from=2999-01-01").get_data(as_text=True)
    assert "No events match." in future
    today = moderator_client.get("/moderate/audit?date_to=2999-01-01&site=blog").get_data(
        as_text=True
    )
    assert "pending → approved" in today


@pytest.mark.parametrize("query", ["date_from=yesterday", "action=exploded", "site=elsewhere"])
def test_bad_audit_filters_are_422(moderator_client, query):
    assert moderator_client.get(f"/moderate/audit?{query}").status_code == 422


def test_the_older_link_keeps_the_audit_filters_and_no_other_parameter(
    moderator_client, site, make_comment
):
    comment = make_comment(site)
    db.session.add_all(
        ModerationEvent(
            comment_id=comment.id, site_id=site.id, from_status="pending", to_status="approved"
        )
        for _ in range(moderation_queue.PAGE_SIZE + 1)
    )
    db.session.commit()
    extra = {"endpoint": "x", "_method": "POST", "_external": "1", "_scheme": "https"}
    response = moderator_client.get("/moderate/audit", query_string={"action": "approved", **extra})
    assert response.status_code == 200
    older = re.search(r'<a href="([^"]*)" rel="next">Older', response.get_data(as_text=True))
    link = urlsplit(html.unescape(older.group(1)))
    assert (link.scheme, link.netloc, link.path) == ("", "", "/moderate/audit")
    assert set(parse_qs(link.query)) == {"before", "action"}
