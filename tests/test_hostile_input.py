"""Specific hostile inputs the endpoint fuzzer (test_fuzz_endpoints.py) found causing 500s.

Each is a 4xx with a stable code now; these tests name the case so a regression is obvious.
"""

from __future__ import annotations

from service.accounts.models import Role

HUGE_DIGITS = "9" * 5000  # past Python's int() string limit (4300 digits)


def test_a_five_thousand_digit_comment_id_is_an_invalid_id(client, site):
    for method in ("GET", "DELETE"):
        response = client.open(f"/api/v1/comments/{HUGE_DIGITS}?token=x", method=method)
        assert response.status_code == 422
        assert response.get_json()["error"]["code"] == "invalid_id"


def test_a_five_thousand_digit_limit_is_an_invalid_id(client, site, make_moderator):
    _, token = make_moderator(site, role=Role.OWNER)
    response = client.get(
        f"/api/v1/sites/blog/share-stats?days={HUGE_DIGITS}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "invalid_id",
        "message": "days must be a positive integer.",
        "field": "days",
    }


def test_queue_offset_that_is_not_a_plain_small_number_starts_at_the_beginning(
    client, site, make_moderator, make_comment
):
    _, token = make_moderator(site)
    make_comment(site, "Waiting for review.")
    for offset in ("²", HUGE_DIGITS, "99999999999999999999"):
        response = client.get(
            "/api/v1/sites/blog/queue",
            query_string={"offset": offset},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, offset
        assert [c["text"] for c in response.get_json()["comments"]] == ["Waiting for review."]


def test_dashboard_ignores_out_of_range_ids_in_query_and_form(app, site, make_comment):
    from tests.moderator_forms import post_form, signed_in

    client = signed_in(app, site, "owner@example.org", Role.OWNER)
    comment = make_comment(site, "Pending one.")
    for before in ("²", HUGE_DIGITS, "99999999999999999999"):
        assert client.get("/moderate/audit", query_string={"before": before}).status_code == 200
    for after in ("0.5_99999999999999999999", f"n_{HUGE_DIGITS}"):
        response = client.get("/moderate/queue", query_string={"after": after})
        assert response.status_code == 422, after
    response = post_form(
        client,
        "/moderate/bulk",
        {"action": "approve", "ids": [str(comment.id), "99999999999999999999", "²"]},
    )
    assert response.status_code == 302
    assert comment.status == "approved"


def test_dashboard_ids_past_the_integer_column_are_not_found(app, site, make_comment):
    from tests.moderator_forms import post_form, signed_in

    client = signed_in(app, site, "owner@example.org", Role.OWNER)
    huge = "99999999999999999999"
    assert client.get(f"/moderate/comments/{huge}/edit").status_code == 404
    for path in (
        f"/moderate/comments/{huge}/approve",
        f"/moderate/comments/{huge}/edit",
        f"/moderate/sites/blog/rules/{huge}/delete",
        f"/moderate/sites/blog/trusted/{huge}/remove",
        f"/moderate/sites/blog/members/{huge}/remove",
        f"/moderate/tokens/{huge}/revoke",
        "/moderate/tokens/0/revoke",
    ):
        assert post_form(client, path).status_code == 404, path


def test_audit_date_at_the_end_of_the_calendar_is_a_validation_error(app, site):
    from tests.moderator_forms import signed_in

    client = signed_in(app, site, "owner@example.org", Role.OWNER)
    response = client.get("/moderate/audit", query_string={"date_to": "9999-12-31"})
    assert response.status_code == 422
    assert "Dates look like" in response.get_data(as_text=True)


def test_malformed_urls_in_site_settings_and_webhooks_are_refused_with_a_message(app, site):
    from tests.moderator_forms import post_form, signed_in

    client = signed_in(app, site, "owner@example.org", Role.OWNER)
    for bad in ("http://[", "http://[::1", "https://blog.example:99999"):
        response = post_form(
            client,
            "/moderate/sites/blog/settings",
            {"name": "Blog", "allowed_origins": bad, "moderation_policy": "hold_all"},
        )
        assert response.status_code == 422, bad
        assert "is not an origin like" in response.get_data(as_text=True)
        response = post_form(
            client,
            "/moderate/notifications/blog/webhook",
            {"webhook_url": bad},
            follow_redirects=True,
        )
        assert "must start with http:// or https://" in response.get_data(as_text=True)
    assert site.allowed_origins == ["https://blog.example"]
    assert "webhook_url" not in (site.settings or {})


def test_nul_bytes_in_any_query_or_form_value_are_refused_before_a_view_runs(app, site):
    """PostgreSQL cannot store or compare text with NUL, so none may reach a query."""
    from tests.moderator_forms import csrf_token, signed_in

    anonymous = app.test_client()
    response = anonymous.post(
        "/moderate/login",
        data={"email": "a\x00b@example.org", "password": "x", "csrf_token": csrf_token(anonymous)},
    )
    assert response.status_code == 400
    owner = signed_in(app, site, "owner@example.org", Role.OWNER)
    for path in ("/moderate/queue?q=a%00b", "/moderate/audit?actor=%00", "/t/blog?uri=/a%00"):
        assert owner.get(path).status_code == 400, path
    response = anonymous.get("/api/v1/sites/blog/threads?uri=/post&after=%00")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_characters"


def test_preview_check_refuses_a_malformed_url_with_a_code():
    import pytest

    from service.http.errors import ValidationError
    from service.shares import preview

    for url in ("http://[", "http://[::1", "https://example.org:99999/"):
        with pytest.raises(ValidationError) as refused:
            preview.fetch_page(url)
        assert refused.value.field == "url", url


def test_preview_check_reads_a_page_that_names_an_unknown_charset():
    """The charset comes from somebody else's server; an unknown one must not be a 500."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from service.shares import preview

    class BogusCharset(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            body = b"<title>Caf\xe9</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=x-no-such-charset")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), BogusCharset)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = preview.fetch_page(f"http://127.0.0.1:{server.server_port}/", allow_private=True)
    finally:
        server.shutdown()
    assert page.html.startswith("<title>Caf")
