"""The signed form timestamp behind the too-fast and forged/expired-token gates."""

from __future__ import annotations

import time

from service.comments.form_token import TokenState, check_form_token, issue_form_token


def test_a_fresh_token_is_valid_and_knows_its_age(app, monkeypatch):
    with app.app_context():
        token = issue_form_token("blog")
        later = time.time() + 7
        monkeypatch.setattr(time, "time", lambda: later)
        state, age = check_form_token(token, "blog")
    assert state == TokenState.VALID and 6.5 < age < 7.5


def test_an_altered_token_or_one_for_another_site_is_forged(app):
    with app.app_context():
        token = issue_form_token("blog")
        altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        assert check_form_token(altered, "blog") == (TokenState.FORGED, None)
        assert check_form_token("not even a token", "blog") == (TokenState.FORGED, None)
        assert check_form_token(token, "other-blog") == (TokenState.FORGED, None)


def test_no_token_is_missing_and_an_old_one_is_expired(app):
    with app.app_context():
        assert check_form_token(None, "blog") == (TokenState.MISSING, None)
        assert check_form_token("", "blog") == (TokenState.MISSING, None)
        token = issue_form_token("blog")
        app.config["FORM_TOKEN_MAX_AGE_SECONDS"] = -1
        assert check_form_token(token, "blog") == (TokenState.EXPIRED, None)


def test_a_token_signed_with_another_secret_is_forged(app):
    with app.app_context():
        token = issue_form_token("blog")
        app.config["SECRET_KEY"] = "a different secret entirely"
        assert check_form_token(token, "blog") == (TokenState.FORGED, None)
