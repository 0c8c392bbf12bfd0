"""Self-service password reset by email, through a real SMTP server: the link works once, for
30 minutes, only with a POST; the answer never tells whether an email has an account; nobody can
fill a mailbox; the link never reaches a log."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from companion.accounts import passwords
from companion.accounts.models import LoginSession, PasswordToken, User, token_hash
from companion.db import utcnow
from tests.conftest import SAME_ORIGIN, Mailbox, sign_in

H = SAME_ORIGIN


def _ask(client: FlaskClient, email: str = "ada@example.org", **headers: str) -> object:
    return client.post("/password-reset/", data={"email": email}, headers={**H, **headers})


def _choose(client: FlaskClient, link: str, password: str, confirm: str | None = None) -> object:
    data = {"password": password, "confirm": password if confirm is None else confirm}
    return client.post(link, data=data, headers=H)


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/settings/").status_code == 200


def test_a_forgotten_password_is_reset_with_the_mailed_link(
    app: Flask, make_user, mailbox: Mailbox, dbs: Session
) -> None:
    make_user(email="ada@example.org", name="Ada")
    other_device = app.test_client()
    assert sign_in(other_device).status_code == 302
    browser = app.test_client()
    login = browser.get("/login").text
    assert '<a href="/password-reset/">Forgot password?</a>' in login

    asked = _ask(browser, "  ADA@example.org ")
    assert asked.status_code == 200
    assert "If <strong>ada@example.org</strong> has an account" in asked.text
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert (mail["To"], mail["Subject"]) == (
        "ada@example.org",
        "Reset your Conference Companion password",
    )
    assert "within 30 minutes" in mailbox.body()
    link = mailbox.link()
    assert link.startswith("/password-reset/") and link not in asked.text

    # Opening the link (or a mail client's preview of it) only shows the form.
    for _ in range(2):
        form = browser.get(link)
        assert form.status_code == 200 and "Choose a new password" in form.text
    assert not _signed_in(browser)

    chosen = _choose(browser, link, "a brand new secret")
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/"
    assert _signed_in(browser)
    assert not _signed_in(other_device)  # every other device is signed out
    assert len(dbs.execute(select(LoginSession)).scalars().all()) == 1  # this device's
    assert sign_in(app.test_client(), password="correct horse").status_code == 422
    assert sign_in(app.test_client(), password="a brand new secret").status_code == 302

    # Used is used: the link answers 410, to a GET and a POST, and changes nothing.
    again = app.test_client()
    assert again.get(link).status_code == 410
    refused = _choose(again, link, "someone else's idea")
    assert refused.status_code == 410 and "expired or was already used" in refused.text
    assert sign_in(app.test_client(), password="a brand new secret").status_code == 302


def test_an_expired_link_is_refused(
    app: Flask, client: FlaskClient, make_user, mailbox: Mailbox, dbs: Session
) -> None:
    make_user()
    _ask(client)
    link = mailbox.link()
    row = dbs.execute(select(PasswordToken)).scalar_one()
    assert row.expires_at - row.created_at == timedelta(minutes=30)
    dbs.execute(update(PasswordToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    dbs.commit()
    assert client.get(link).status_code == 410
    assert _choose(client, link, "too late for this").status_code == 410
    assert sign_in(app.test_client()).status_code == 302  # the old password still works


def test_an_unknown_email_gets_the_same_answer_and_no_mail(
    client: FlaskClient, make_user, mailbox: Mailbox, dbs: Session
) -> None:
    make_user(email="ada@example.org")
    known = _ask(client, "ada@example.org")
    unknown = _ask(client, "nobody@example.org")
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert known.text.replace("ada@", "X@") == unknown.text.replace("nobody@", "X@")
    assert [m["To"] for m in mailbox.messages] == ["ada@example.org"]
    assert len(dbs.execute(select(PasswordToken)).scalars().all()) == 1


def test_a_malformed_email_is_a_form_error(client: FlaskClient, mailbox: Mailbox) -> None:
    refused = _ask(client, "not an email")
    assert refused.status_code == 422 and "Enter an email address" in refused.text
    assert mailbox.messages == []


def test_the_token_is_stored_only_as_its_hash(
    client: FlaskClient, make_user, mailbox: Mailbox, dbs: Session
) -> None:
    make_user()
    _ask(client)
    token = mailbox.link().removeprefix("/password-reset/")
    row = dbs.execute(select(PasswordToken)).scalar_one()
    assert row.token_hash == token_hash(token) != token
    assert (row.purpose, row.used_at) == ("reset", None)


def test_two_different_passwords_keep_the_link_working(
    client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    make_user()
    _ask(client)
    link = mailbox.link()
    mismatch = _choose(client, link, "one new password", "another password")
    assert mismatch.status_code == 422 and "The two passwords are not the same." in mismatch.text
    short = _choose(client, link, "short")
    assert short.status_code == 422 and "Use at least 8 characters." in short.text
    assert _choose(client, link, "one new password").status_code == 302


def test_a_new_password_uses_up_every_other_link(
    app: Flask, client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    make_user()
    _ask(client)
    _ask(client)
    first, second = mailbox.link(0), mailbox.link(1)
    assert first != second
    assert _choose(client, second, "the second one wins").status_code == 302
    assert app.test_client().get(first).status_code == 410


def test_changing_the_password_in_settings_ends_outstanding_links(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    make_user()
    _ask(app.test_client())
    link = mailbox.link()
    me = app.test_client()
    sign_in(me)
    changed = me.post(
        "/settings/",
        data={
            "form": "password",
            "current_password": "correct horse",
            "new_password": "remembered after all",
            "confirm": "remembered after all",
        },
        headers=H,
    )
    assert changed.status_code == 302
    assert app.test_client().get(link).status_code == 410


def test_mails_to_one_email_are_limited(client: FlaskClient, make_user, mailbox: Mailbox) -> None:
    make_user()
    answers = {_ask(client).status_code for _ in range(passwords.EMAIL_LIMIT + 2)}
    assert answers == {200}  # the same answer: the limit tells nothing either
    assert len(mailbox.messages) == passwords.EMAIL_LIMIT


def test_parallel_requests_cannot_slip_past_the_limit(
    app: Flask, make_user, mailbox: Mailbox
) -> None:
    make_user()
    barrier = threading.Barrier(12)

    def ask(_: int) -> int:
        client = app.test_client()
        barrier.wait()
        return int(_ask(client).status_code)  # type: ignore[attr-defined]

    with ThreadPoolExecutor(12) as pool:
        assert set(pool.map(ask, range(12))) == {200}
    assert len(mailbox.messages) == passwords.EMAIL_LIMIT


def test_someone_who_keeps_asking_cannot_keep_the_owners_mail_away(
    app: Flask, client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    """The window is fixed from its first request: an hour later the owner gets a mail again,
    however often someone asked meanwhile."""
    app.config["FIXED_NOW"] = "2020-03-02T10:00:00+00:00"
    make_user()
    for minute in range(0, 60, 5):
        app.config["FIXED_NOW"] = f"2020-03-02T10:{minute:02d}:00+00:00"
        _ask(client)
    assert len(mailbox.messages) == passwords.EMAIL_LIMIT
    app.config["FIXED_NOW"] = "2020-03-02T11:00:30+00:00"
    _ask(app.test_client())
    assert len(mailbox.messages) == passwords.EMAIL_LIMIT + 1


def test_nobody_at_the_same_address_stops_another_persons_reset(
    client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    """Probe N7: a venue's Wi-Fi is one address. Requests for junk emails, and for other people,
    however many, never stop a person there from getting their own reset mail."""
    make_user()
    make_user(email="bo@example.org")
    for n in range(40):
        assert _ask(client, f"junk{n}@nowhere.invalid").status_code == 200
    for _ in range(5):
        _ask(client, "bo@example.org")
    assert _ask(client, "ada@example.org").status_code == 200
    assert [m["To"] for m in mailbox.messages].count("ada@example.org") == 1
    assert [m["To"] for m in mailbox.messages].count("bo@example.org") == passwords.EMAIL_LIMIT


def test_a_mail_server_failure_is_a_clear_message(
    client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    make_user()
    mailbox.refuse = True
    failed = _ask(client)
    assert failed.status_code == 503
    assert "We could not send the mail just now. Please try again in a few minutes." in failed.text
    mailbox.refuse = False
    assert _ask(client).status_code == 200 and len(mailbox.messages) == 1


def test_a_stopped_mail_server_is_a_clear_message(
    app: Flask, client: FlaskClient, make_user
) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_STARTTLS=False)
    make_user()
    failed = _ask(client)
    assert failed.status_code == 503 and "try again in a few minutes" in failed.text


def test_the_link_is_built_on_the_public_url_never_the_host_header(
    app: Flask, client: FlaskClient, make_user, mailbox: Mailbox
) -> None:
    app.config["PUBLIC_URL"] = "https://companion.example.org"  # as Config normalises it
    make_user()
    _ask(client, Host="evil.example")
    assert "https://companion.example.org/password-reset/" in mailbox.body()
    assert "evil.example" not in mailbox.body()


def test_signing_in_elsewhere_with_the_link_merges_this_devices_guest(
    client: FlaskClient, make_user, make_conference, make_talk, mailbox: Mailbox, dbs: Session
) -> None:
    talk = make_talk(make_conference())
    user = make_user()
    assert client.put(f"/api/v1/me/stars/{talk.guid}", headers=H).status_code == 201
    _ask(client)
    assert _choose(client, mailbox.link(), "a brand new secret").status_code == 302
    assert client.get("/api/v1/me").get_json()["stars"] == [talk.guid]
    dbs.expire_all()
    assert [u.id for u in dbs.execute(select(User)).scalars()] == [user.id]  # guest merged


def test_without_a_mail_server_mails_go_to_a_folder_and_the_log_names_the_file(
    app: Flask, client: FlaskClient, make_user, caplog: pytest.LogCaptureFixture
) -> None:
    make_user()
    with caplog.at_level(logging.INFO):
        assert _ask(client).status_code == 200
    files = sorted(Path(app.config["MAIL_FOLDER"]).glob("*.eml"))
    assert len(files) == 1
    assert (files[0].stat().st_mode & 0o777) == 0o600
    text = files[0].read_text()
    assert "To: ada@example.org" in text and "/password-reset/" in text
    token = text.split("/password-reset/")[1].split()[0]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert str(files[0]) in logged
    assert token not in logged and "/password-reset/" not in logged
    # The link in the file works like one from a mail server.
    assert client.get(f"/password-reset/{token}").status_code == 200
