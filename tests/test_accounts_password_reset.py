"""Password reset by e-mailed link: signed, expiring, single use, and quiet about who exists."""

from __future__ import annotations

from tests.moderator_forms import csrf_token, login

NEW_PASSWORD = "brand new password 42"


def ask_for_reset(client, email: str):
    return client.post(
        "/moderate/password/forgot", data={"email": email, "csrf_token": csrf_token(client)}
    )


def choose_password(client, path: str, password: str = NEW_PASSWORD):
    token = csrf_token(client, path)
    return client.post(path, data={"password": password, "confirm": password, "csrf_token": token})


def test_reset_link_sets_a_new_password_and_signs_in(client, inbox, owner_account):
    response = ask_for_reset(client, "owner@example.org")
    assert response.status_code == 302
    message = inbox.to("owner@example.org")[0]
    assert message["Subject"] == "Reset your Talkback password"
    assert "https://talk.example/moderate/password/reset/" in message.get_content()
    path = inbox.link_to("owner@example.org")

    response = choose_password(client, path)
    assert response.status_code == 302
    assert client.get("/moderate/queue").status_code == 200
    client.get("/moderate/login")
    assert (
        login(client.application.test_client(), "owner@example.org", NEW_PASSWORD).status_code
        == 302
    )


def test_a_used_link_is_refused_with_a_clear_page(client, inbox, owner_account):
    ask_for_reset(client, "owner@example.org")
    path = inbox.link_to("owner@example.org")
    choose_password(client, path)
    response = client.get(path)
    assert response.status_code == 400
    assert "already used" in response.get_data(as_text=True)
    stranger = client.application.test_client()
    data = {"password": "third password!!", "confirm": "third password!!"}
    response = stranger.post(path, data={**data, "csrf_token": csrf_token(stranger)})
    assert response.status_code == 400


def test_an_expired_link_is_refused(app, client, inbox, owner_account):
    ask_for_reset(client, "owner@example.org")
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(inbox.link_to("owner@example.org"))
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_a_tampered_link_is_refused(client, inbox, owner_account):
    ask_for_reset(client, "owner@example.org")
    path = inbox.link_to("owner@example.org")
    response = client.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, inbox, owner_account):
    known = ask_for_reset(client, "owner@example.org")
    unknown = ask_for_reset(client, "stranger@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location
    assert inbox.to("stranger@example.org") == []


def test_a_short_password_is_refused_and_the_link_still_works(client, inbox, owner_account):
    ask_for_reset(client, "owner@example.org")
    path = inbox.link_to("owner@example.org")
    response = choose_password(client, path, "short")
    assert response.status_code == 422
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_the_reset_answer_does_not_wait_for_or_fail_with_the_mail_server(
    app, owner_account, monkeypatch
):
    # SMTP time and SMTP errors would otherwise tell which addresses have an account.
    import threading
    import time

    from service import mail

    started, release = threading.Event(), threading.Event()

    def slow_broken_smtp(*args):
        started.set()
        release.wait(5)
        raise OSError("mail server down")

    monkeypatch.setattr(mail, "send_mail", slow_broken_smtp)
    app.config["TASKS_EAGER"] = False
    client = app.test_client()
    for email in ("owner@example.org", "nobody@example.org"):
        begun = time.monotonic()
        assert ask_for_reset(client, email).status_code == 302
        assert time.monotonic() - begun < 1.0, email
    assert started.wait(5)  # the known address's mail was attempted, in the background
    release.set()


def test_a_mail_server_error_during_a_reset_is_logged_not_a_500(
    app, owner_account, monkeypatch, caplog
):
    from service import mail

    def broken_smtp(*args):
        raise OSError("mail server down")

    monkeypatch.setattr(mail, "send_mail", broken_smtp)
    assert ask_for_reset(app.test_client(), "owner@example.org").status_code == 302
    assert "could not send 'Reset your Talkback password'" in caplog.text
