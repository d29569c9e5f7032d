"""Moderators choose how they are notified per site; owners set the site's webhook."""

from __future__ import annotations

from service.accounts.models import Role
from service.accounts.services import get_or_create_moderator
from service.extensions import db
from service.notifications import services as notifications
from service.notifications.models import NotifyMode
from tests.moderator_forms import post_form, signed_in


def mode_of(email: str, site) -> str:
    return notifications.notification_mode(get_or_create_moderator(email).id, site.id)


def test_the_preferences_page_needs_a_signed_in_moderator(client, site):
    response = client.get("/moderate/notifications")
    assert response.status_code == 302
    assert "/moderate/login" in response.headers["Location"]


def test_a_moderator_switches_a_site_to_the_daily_digest(app, site):
    client = signed_in(app, site, "mod@example.org")
    page = client.get("/moderate/notifications").get_data(as_text=True)
    assert "Notifications for Blog" in page
    assert 'value="immediate" checked' in page
    assert "Webhook URL" not in page  # only owners see the site's webhook

    response = post_form(client, "/moderate/notifications/blog/mode", {"mode": "digest"})
    assert response.status_code == 302
    assert mode_of("mod@example.org", site) == NotifyMode.DIGEST
    assert 'value="digest" checked' in client.get("/moderate/notifications").get_data(as_text=True)


def test_an_unknown_mode_is_refused_with_a_message(app, site):
    client = signed_in(app, site, "mod@example.org")
    response = post_form(
        client, "/moderate/notifications/blog/mode", {"mode": "hourly"}, follow_redirects=True
    )
    assert "mode must be one of off, immediate, digest" in response.get_data(as_text=True)
    assert mode_of("mod@example.org", site) == NotifyMode.IMMEDIATE


def test_a_preference_without_the_csrf_token_is_refused(app, site):
    client = signed_in(app, site, "mod@example.org")
    response = client.post("/moderate/notifications/blog/mode", data={"mode": "off"})
    assert response.status_code == 400
    assert mode_of("mod@example.org", site) == NotifyMode.IMMEDIATE


def test_another_sites_preferences_and_webhook_are_not_found(app, site, make_site):
    make_site("other")
    client = signed_in(app, site, "mod@example.org", Role.OWNER)
    assert (
        post_form(client, "/moderate/notifications/other/mode", {"mode": "off"}).status_code == 404
    )
    response = post_form(
        client, "/moderate/notifications/other/webhook", {"webhook_url": "https://x.example/"}
    )
    assert response.status_code == 404


def test_only_an_owner_sets_the_webhook(app, site):
    client = signed_in(app, site, "mod@example.org")
    response = post_form(
        client, "/moderate/notifications/blog/webhook", {"webhook_url": "https://hooks.example/t"}
    )
    assert response.status_code == 403
    db.session.refresh(site)
    assert "webhook_url" not in site.settings


def test_an_owner_sets_a_webhook_with_a_generated_secret_and_removes_it(app, site):
    client = signed_in(app, site, "owner@example.org", Role.OWNER)
    post_form(
        client, "/moderate/notifications/blog/webhook", {"webhook_url": "https://hooks.example/t"}
    )
    db.session.refresh(site)
    assert site.settings["webhook_url"] == "https://hooks.example/t"
    secret = site.settings["webhook_secret"]
    assert len(secret) >= 32
    settings_page = client.get("/moderate/sites/blog/settings").get_data(as_text=True)
    assert "Notifications for Blog" in settings_page and secret in settings_page

    post_form(client, "/moderate/notifications/blog/webhook", {"webhook_url": ""})
    db.session.refresh(site)
    assert "webhook_url" not in site.settings and "webhook_secret" not in site.settings


def test_a_webhook_that_is_not_http_is_refused(app, site):
    client = signed_in(app, site, "owner@example.org", Role.OWNER)
    response = post_form(
        client,
        "/moderate/notifications/blog/webhook",
        {"webhook_url": "file:///etc/passwd", "webhook_secret": "long enough secret!"},
        follow_redirects=True,
    )
    assert "must start with http:// or https://" in response.get_data(as_text=True)
    db.session.refresh(site)
    assert "webhook_url" not in site.settings


def test_a_short_webhook_secret_is_refused(app, site):
    client = signed_in(app, site, "owner@example.org", Role.OWNER)
    post_form(
        client,
        "/moderate/notifications/blog/webhook",
        {"webhook_url": "https://hooks.example/t", "webhook_secret": "short"},
    )
    db.session.refresh(site)
    assert "webhook_url" not in site.settings
