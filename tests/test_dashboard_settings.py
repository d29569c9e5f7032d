"""Site settings: owners change name, origins, policy and thresholds; bad input changes nothing."""

from __future__ import annotations

import pytest

from service.accounts.models import ModerationPolicy, Role
from tests.moderator_forms import csrf_token, dashboard_moderator, post_form, signed_in

VALID = {
    "name": "The Blog",
    "allowed_origins": "https://blog.example\nhttps://WWW.Blog.example:8443/",
    "moderation_policy": ModerationPolicy.AUTO_APPROVE_LOW_SCORE,
    "approve_below": "0.25",
    "spam_at": "0.8",
}


def test_owner_sees_the_current_settings(owner_client, site):
    page = owner_client.get("/moderate/sites/blog/settings").get_data(as_text=True)
    assert 'value="Blog"' in page
    assert "https://blog.example" in page
    assert "owner@example.org" in page


def test_owner_saves_settings(owner_client, site):
    response = post_form(owner_client, "/moderate/sites/blog/settings", VALID)
    assert response.status_code == 302
    assert site.name == "The Blog"
    assert site.allowed_origins == ["https://blog.example", "https://www.blog.example:8443"]
    assert site.moderation_policy == ModerationPolicy.AUTO_APPROVE_LOW_SCORE
    assert (site.approve_below, site.spam_at) == (0.25, 0.8)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": ""}, "1 to 200 characters"),
        ({"allowed_origins": "blog.example"}, "is not an origin"),
        ({"allowed_origins": "javascript:alert(1)"}, "is not an origin"),
        ({"allowed_origins": "https://blog.example/path"}, "is not an origin"),
        ({"moderation_policy": "anything_goes"}, "Unknown policy"),
        ({"approve_below": "0.9", "spam_at": "0.5"}, "must be below the spam threshold"),
        ({"spam_at": "1.5"}, "numbers from 0 to 1"),
        ({"approve_below": "nan"}, "numbers from 0 to 1"),
    ],
)
def test_invalid_settings_are_explained_and_nothing_changes(owner_client, site, change, message):
    response = post_form(owner_client, "/moderate/sites/blog/settings", {**VALID, **change})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert site.name == "Blog"
    assert site.moderation_policy == ModerationPolicy.HOLD_ALL


def test_moderators_who_are_not_owners_cannot_change_settings(app, site):
    moderator = signed_in(app, site, "mod@example.org")
    assert moderator.get("/moderate/sites/blog/settings").status_code == 403
    assert post_form(moderator, "/moderate/sites/blog/settings", VALID).status_code == 403
    assert site.name == "Blog"


def test_settings_page_has_a_place_for_notification_options(owner_client):
    template = owner_client.application.jinja_env.get_template("moderation/settings.html")
    assert "notification_settings" in template.blocks


def test_owner_invites_a_new_moderator_who_sets_a_password_by_link(app, owner_client, site, inbox):
    response = post_form(
        owner_client,
        "/moderate/sites/blog/members",
        {"email": "New@Example.org", "role": "moderator"},
    )
    assert response.status_code == 302
    assert "new@example.org" in owner_client.get("/moderate/sites/blog/settings").get_data(
        as_text=True
    )
    path = inbox.link_to("new@example.org")
    newcomer = app.test_client()
    data = {"password": "newcomer password", "confirm": "newcomer password"}
    response = newcomer.post(path, data={**data, "csrf_token": csrf_token(newcomer, path)})
    assert response.status_code == 302
    assert newcomer.get("/moderate/queue").status_code == 200
    assert newcomer.get("/moderate/sites/blog/settings").status_code == 403


def test_existing_moderators_are_added_without_an_email(owner_client, site, make_site, inbox):
    elsewhere = make_site("elsewhere")
    dashboard_moderator(elsewhere, "known@example.org")
    post_form(
        owner_client,
        "/moderate/sites/blog/members",
        {"email": "known@example.org", "role": "owner"},
    )
    assert inbox.messages == []
    roles = {m.moderator.email: m.role for m in site.memberships}
    assert roles["known@example.org"] == Role.OWNER


def test_members_can_be_removed_but_not_the_last_owner(app, owner_client, site):
    dashboard_moderator(site, "mod@example.org")
    memberships = {m.moderator.email: m for m in site.memberships}
    response = post_form(
        owner_client, f"/moderate/sites/blog/members/{memberships['mod@example.org'].id}/remove"
    )
    assert response.status_code == 302
    assert {m.moderator.email for m in site.memberships} == {"owner@example.org"}
    last = post_form(
        owner_client,
        f"/moderate/sites/blog/members/{memberships['owner@example.org'].id}/remove",
        follow_redirects=True,
    )
    assert "at least one owner" in last.get_data(as_text=True)
    assert {m.moderator.email for m in site.memberships} == {"owner@example.org"}


def test_the_last_owner_cannot_step_down_but_one_of_two_can(owner_client, site):
    demote_self = {"email": "owner@example.org", "role": "moderator"}
    refused = post_form(
        owner_client, "/moderate/sites/blog/members", demote_self, follow_redirects=True
    )
    assert "at least one owner" in refused.get_data(as_text=True)
    assert {m.moderator.email: m.role for m in site.memberships} == {
        "owner@example.org": Role.OWNER
    }
    post_form(
        owner_client,
        "/moderate/sites/blog/members",
        {"email": "co@example.org", "role": "owner"},
    )
    assert post_form(owner_client, "/moderate/sites/blog/members", demote_self).status_code == 302
    roles = {m.moderator.email: m.role for m in site.memberships}
    assert roles == {"owner@example.org": Role.MODERATOR, "co@example.org": Role.OWNER}


def test_moderators_cannot_manage_members(app, site):
    moderator = signed_in(app, site, "mod@example.org")
    response = post_form(moderator, "/moderate/sites/blog/members", {"email": "x@example.org"})
    assert response.status_code == 403
    assert {m.moderator.email for m in site.memberships} == {"mod@example.org"}


@pytest.mark.parametrize("form", [{"email": "nope"}, {"email": "a@example.org", "role": "admin"}])
def test_invalid_member_input_is_explained(owner_client, site, form):
    response = post_form(owner_client, "/moderate/sites/blog/members", form, follow_redirects=True)
    assert 'class="flash error"' in response.get_data(as_text=True)
    assert len(site.memberships) == 1
