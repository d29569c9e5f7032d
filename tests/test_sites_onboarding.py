"""A new blog in a few commands: `flask sites create` prints the snippet and the first
owner's invitation, `sites update` changes origins, and the dashboard's Sites page shows
the snippet and the origins refused lately."""

from __future__ import annotations

import html
import re

import pytest

from service.accounts import origins
from service.accounts.models import Role, Site
from service.extensions import db
from tests.moderator_forms import post_form, signed_in

SNIPPET_SRC = 'src="https://comments.example.org/embed.js" data-talkback-site="newblog"'


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def test_sites_create_prints_the_snippet_and_an_invitation_that_sets_a_password(app, cli):
    result = cli.invoke(
        args=[
            "sites",
            "create",
            "newblog",
            "--origin",
            "https://Blog.Example.org/",
            "--owner",
            "First@Example.org",
            "--url",
            "https://comments.example.org",
        ]
    )
    assert result.exit_code == 0, result.output
    assert SNIPPET_SRC in result.output
    assert 'href="https://comments.example.org/t/newblog"' in result.output  # no-JS fallback
    site = db.session.scalar(db.select(Site).where(Site.slug == "newblog"))
    assert site.allowed_origins == ["https://blog.example.org"]
    link = re.search(r"https://comments\.example\.org(/moderate/password/reset/\S+)", result.output)
    assert link, result.output

    client = app.test_client()
    page = client.get(link.group(1)).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"password": "a brand new password", "confirm": "a brand new password"}
    response = client.post(link.group(1), data={**form, "csrf_token": csrf})
    assert response.status_code == 302
    assert client.get("/moderate/sites/").status_code == 200  # signed in, and an owner
    # The invitation is spent once used.
    assert client.get(link.group(1)).status_code == 400


def test_sites_update_adds_and_removes_origins(app, cli, site):
    result = cli.invoke(args=["sites", "update", "blog", "--add-origin", "http://localhost:8000"])
    assert result.exit_code == 0, result.output
    result = cli.invoke(args=["sites", "update", "blog", "--remove-origin", "https://blog.example"])
    assert result.exit_code == 0, result.output
    db.session.refresh(site)
    assert site.allowed_origins == ["http://localhost:8000"]
    bad = cli.invoke(args=["sites", "update", "blog", "--add-origin", "javascript:alert(1)"])
    assert bad.exit_code != 0 and "scheme://host" in bad.output
    gone = cli.invoke(args=["sites", "update", "blog", "--remove-origin", "https://nope.example"])
    assert gone.exit_code != 0


def test_a_refused_origin_is_listed_on_the_sites_page_and_can_be_added(app, client, site):
    refused = client.get(
        "/api/v1/sites/blog/threads?uri=/post", headers={"Origin": "http://localhost:4000"}
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "origin_not_allowed"
    owner = signed_in(app, site, "owner@example.org", Role.OWNER)
    page = html.unescape(owner.get("/moderate/sites/").get_data(as_text=True))
    assert "http://localhost:4000" in page and "Add this origin" in page
    assert 'data-talkback-site="blog"' in page
    # The owner's other pages for this site are one click away.
    for path in (
        "/moderate/sites/blog/settings",
        "/moderate/sites/blog/transfer",
        "/moderate/sites/blog/privacy",
    ):
        assert f'href="{path}"' in page, path
        assert owner.get(path).status_code == 200, path

    response = post_form(owner, "/moderate/sites/blog/origins", {"origin": "http://localhost:4000"})
    assert response.status_code == 302
    db.session.refresh(site)
    assert "http://localhost:4000" in site.allowed_origins
    assert origins.recent_refusals(site) == []
    allowed = client.get(
        "/api/v1/sites/blog/threads?uri=/post", headers={"Origin": "http://localhost:4000"}
    )
    assert allowed.status_code == 200


def test_refusals_are_one_row_per_origin_and_capped(app, client, site):
    for _ in range(3):
        client.get("/api/v1/sites/blog/counts?uri=/a", headers={"Origin": "https://x.example"})
    rows = origins.recent_refusals(site)
    assert [(row.origin, row.count) for row in rows] == [("https://x.example", 3)]
    for n in range(origins.MAX_REFUSALS_PER_SITE + 5):
        origins.record_refusal(site.id, f"https://made-up-{n}.example")
    assert len(origins.recent_refusals(site)) == origins.MAX_REFUSALS_PER_SITE


def test_the_sites_page_is_for_owners_only(app, site):
    moderator = signed_in(app, site, "mod@example.org", Role.MODERATOR)
    assert moderator.get("/moderate/sites/").status_code == 403
    assert post_form(
        moderator, "/moderate/sites/blog/origins", {"origin": "https://a.example"}
    ).status_code in (403, 404)


def test_an_owner_creates_a_site_from_the_dashboard(app, site):
    owner = signed_in(app, site, "owner@example.org", Role.OWNER)
    response = post_form(
        owner,
        "/moderate/sites/",
        {"slug": "second", "name": "Second", "origin": "https://two.example"},
    )
    assert response.status_code == 302
    page = html.unescape(owner.get("/moderate/sites/").get_data(as_text=True))
    assert 'data-talkback-site="second"' in page
    bad = post_form(owner, "/moderate/sites/", {"slug": "Bad Slug!"})
    assert bad.status_code == 302
    assert "a-z, 0-9" in owner.get("/moderate/sites/").get_data(as_text=True)


def test_a_refused_origin_with_control_characters_is_refused_but_not_stored(client, site):
    for origin in ("https://blog.example\x00", "https://a\x01b.example", "https://" + "a" * 300):
        response = client.get("/api/v1/sites/blog/counts?uri=/a", headers={"Origin": origin})
        assert response.status_code == 403
    assert origins.recent_refusals(site) == []
