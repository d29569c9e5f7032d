"""Errors keep the headers HTTP requires beside their JSON body (found by schemathesis:
tests/test_api_contract.py's unsupported_method and response_headers_conformance checks)."""

from __future__ import annotations


def test_an_unsupported_method_on_the_api_lists_the_allowed_ones(client):
    """RFC 9110 §15.5.6: a 405 must carry Allow; the JSON error handler used to drop it."""
    answer = client.put("/api/v1/preview", json={"text": "hi"})
    assert answer.status_code == 405
    assert answer.get_json()["error"]["code"] == "method_not_allowed"
    assert {method.strip() for method in answer.headers["Allow"].split(",")} == {"OPTIONS", "POST"}


def test_an_unsupported_method_on_a_comment_lists_the_authors_methods(client):
    answer = client.post("/api/v1/comments/1")
    assert answer.status_code == 405
    allowed = {method.strip() for method in answer.headers["Allow"].split(",")}
    assert {"GET", "PATCH", "DELETE"} <= allowed


def test_the_moderator_api_without_a_token_names_the_bearer_scheme(client, site):
    """RFC 9110 §15.5.2 and RFC 6750 §3: every 401 carries a WWW-Authenticate challenge."""
    answer = client.get("/api/v1/sites/blog/queue")
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unauthorized"
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="talkback"'


def test_an_unknown_token_is_answered_as_an_invalid_token(client, site):
    answer = client.get("/api/v1/sites/blog/queue", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "bad_token"
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="talkback", error="invalid_token"'


def test_a_dashboard_page_keeps_werkzeugs_own_405(client):
    """Outside /api/ the HTML error page is Werkzeug's, with its Allow header as before."""
    answer = client.delete("/moderate/login")
    assert answer.status_code == 405
    assert "POST" in answer.headers["Allow"]
