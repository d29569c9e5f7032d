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
