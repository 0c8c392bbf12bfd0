from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.accounts.models import LoginSession, User
from companion.agenda.models import Star
from tests.conftest import SAME_ORIGIN, sign_in


def _register(
    client: FlaskClient,
    email: str = "ada@example.org",
    password: str = "correct horse",
    confirm: str | None = None,
) -> object:
    return client.post(
        "/register",
        data={
            "email": email,
            "password": password,
            "name": "Ada",
            "confirm": password if confirm is None else confirm,
        },
        headers=SAME_ORIGIN,
    )


def _star(client: FlaskClient, guid: str) -> None:
    assert client.put(f"/api/v1/me/stars/{guid}", headers=SAME_ORIGIN).status_code in (200, 201)


def _my_guids(client: FlaskClient) -> list[str]:
    return sorted(client.get("/api/v1/me").get_json()["stars"])


def test_registering_upgrades_the_guest_row_and_keeps_its_stars(
    client: FlaskClient, make_conference, make_talk, dbs: Session
) -> None:
    talk = make_talk(make_conference())
    _star(client, talk.guid)
    guest_id = dbs.execute(select(User.id)).scalar_one()
    response = _register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/testconf/my/"
    dbs.expire_all()
    user = dbs.execute(select(User)).scalar_one()
    assert (user.id, user.email, user.is_guest) == (guest_id, "ada@example.org", False)
    assert user.password_hash and user.password_hash.startswith("scrypt:")
    assert _my_guids(client) == [talk.guid]


def test_second_registration_with_the_same_email_is_a_form_error(
    client: FlaskClient, make_user
) -> None:
    make_user(email="ada@example.org")
    response = _register(client, email="ADA@example.org ")
    assert response.status_code == 422
    assert "An account with this email already exists" in response.text


def test_register_validates_its_fields(client: FlaskClient) -> None:
    assert "Enter an email address" in _register(client, email="nope").text
    assert "Use at least 8 characters" in _register(client, password="short").text
    assert "not the same" in _register(client, confirm="different!").text


def test_signing_in_on_another_device_merges_guest_stars(
    app: Flask, make_conference, make_talk, make_user, dbs: Session
) -> None:
    conference = make_conference()
    one, two, three = (
        make_talk(conference, f"T{n}", start=f"1{n}:00", end=f"1{n}:50") for n in range(3)
    )
    laptop, phone = app.test_client(), app.test_client()
    _star(laptop, one.guid)
    _star(laptop, two.guid)
    _register(laptop)
    _star(phone, two.guid)  # a guest on the phone, overlapping the account
    _star(phone, three.guid)
    assert dbs.execute(select(func.count(User.id))).scalar_one() == 2
    assert sign_in(phone).status_code == 302
    assert _my_guids(phone) == sorted([one.guid, two.guid, three.guid])
    assert _my_guids(laptop) == _my_guids(phone)
    dbs.expire_all()
    assert dbs.execute(select(func.count(User.id))).scalar_one() == 1  # the guest is gone
    assert dbs.execute(select(func.count()).select_from(Star)).scalar_one() == 3


def test_wrong_password_is_a_form_error(client: FlaskClient, make_user) -> None:
    make_user()
    response = sign_in(client, password="wrong password")
    assert response.status_code == 422
    assert "That email and password do not match." in response.text


def test_failures_slow_down_one_account_from_one_address(
    app: Flask, client: FlaskClient, make_user
) -> None:
    app.config["FIXED_NOW"] = "2020-03-02T10:00:00+00:00"
    make_user()
    for _ in range(5):
        assert sign_in(client, password="guess").status_code == 422
    waiting = sign_in(client)  # even the right password waits its turn
    assert waiting.status_code == 429
    assert "Too many failed sign-ins with this email from here. Try again in 4 seconds." in (
        waiting.text
    )
    assert waiting.headers["Retry-After"] == "5"
    app.config["FIXED_NOW"] = "2020-03-02T10:00:05+00:00"
    assert sign_in(client).status_code == 302


def test_delays_grow_while_someone_keeps_guessing(app: Flask, client: FlaskClient, make_user):
    app.config["FIXED_NOW"] = "2020-03-02T10:00:00+00:00"
    make_user()
    statuses = [sign_in(client, password="guess").status_code for _ in range(12)]
    assert statuses == [422] * 5 + [429] * 7
    app.config["FIXED_NOW"] = "2020-03-02T10:01:00+00:00"  # 2**8 s are not over yet
    assert sign_in(client).status_code == 429
    app.config["FIXED_NOW"] = "2020-03-02T10:20:00+00:00"  # the window has passed
    assert sign_in(client).status_code == 302


def test_nobody_at_the_same_address_is_locked_out_by_others_failures(app: Flask, make_user) -> None:
    """A venue's Wi-Fi is one NAT address: 40 failures there (unknown emails, and someone else's
    account) never refuse a correct password of another person."""
    app.config["FIXED_NOW"] = "2020-03-02T10:00:00+00:00"
    make_user()
    make_user(email="bo@example.org")
    attacker, person = app.test_client(), app.test_client()
    for n in range(30):
        sign_in(attacker, email=f"guess{n}@example.org", password="guess")
    for _ in range(10):
        sign_in(attacker, email="bo@example.org", password="guess")
    assert sign_in(person).status_code == 302


def test_an_unknown_email_is_slowed_down_exactly_like_an_account(
    app: Flask, client: FlaskClient, make_user
) -> None:
    """Probe N8: the answers must not tell which emails have an account."""
    app.config["FIXED_NOW"] = "2020-03-02T10:00:00+00:00"
    make_user()
    known = [sign_in(client, password="guess").status_code for _ in range(7)]
    unknown = [
        sign_in(client, email="nobody@example.org", password="guess").status_code for _ in range(7)
    ]
    assert known == unknown == [422] * 5 + [429] * 2


def test_many_failures_from_one_address_never_tell_which_emails_exist(
    app: Flask, client: FlaskClient, make_user
) -> None:
    """Probe 2, F3: after 25 failures with made-up emails from one address, an account's email
    and an unknown one still get the same answer."""
    app.config["FIXED_NOW"] = "2020-03-02T10:00:00+00:00"
    make_user()
    for n in range(25):
        assert sign_in(client, email=f"guess{n}@example.org", password="guess").status_code == 422
    known = sign_in(client, password="guess").status_code
    unknown = sign_in(client, email="nobody@example.org", password="guess").status_code
    assert known == unknown == 422


def test_parallel_guesses_are_counted_one_by_one(app: Flask, make_user) -> None:
    """16 wrong passwords at the same moment: exactly the 5 free ones are checked."""
    app.config["FIXED_NOW"] = "2020-03-02T10:00:00+00:00"
    make_user()
    barrier = threading.Barrier(16)

    def guess(_: int) -> int:
        client = app.test_client()
        barrier.wait()
        return int(sign_in(client, password="guess").status_code)

    with ThreadPoolExecutor(16) as pool:
        statuses = sorted(pool.map(guess, range(16)))
    assert statuses == [422] * 5 + [429] * 11


def test_a_cookie_never_reaches_another_users_data(
    app: Flask, make_conference, make_talk, dbs: Session
) -> None:
    conference = make_conference()
    mine, theirs = (
        make_talk(conference, "Mine"),
        make_talk(conference, "Theirs", start="12:00", end="12:50"),
    )
    alice, bob = app.test_client(), app.test_client()
    _star(alice, mine.guid)
    _star(bob, theirs.guid)
    assert _my_guids(alice) == [mine.guid]
    bob_id = dbs.execute(select(Star.user_id).where(Star.talk_id == theirs.id)).scalar_one()
    # A forged remember cookie naming Bob's row id, and one with a tampered digest: both anonymous.
    for value in (f"{bob_id}|{'0' * 128}", f"{bob_id}"):
        mallory = app.test_client()
        mallory.set_cookie("cc_remember", value)
        assert mallory.get("/api/v1/me").get_json()["stars"] == []
    # A tampered session cookie is ignored too.
    mallory = app.test_client()
    mallory.set_cookie("cc_session", "eyJfdXNlcl9pZCI6IjEifQ.forged.signature")
    assert mallory.get("/api/v1/me").get_json()["user"] is None


def test_signing_out_kills_this_devices_token(
    app: Flask, client: FlaskClient, make_user, dbs: Session
) -> None:
    make_user()
    sign_in(client)
    stolen = client.get_cookie("cc_remember")
    assert stolen is not None
    client.post("/logout", headers=SAME_ORIGIN)
    assert dbs.execute(select(func.count(LoginSession.id))).scalar_one() == 0
    thief = app.test_client()
    thief.set_cookie("cc_remember", stolen.value)
    assert thief.get("/api/v1/me").get_json()["user"] is None


def test_changing_the_password_signs_out_other_devices(app: Flask, make_user) -> None:
    make_user()
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop)
    sign_in(phone)
    response = laptop.post(
        "/settings/",
        data={
            "form": "password",
            "current_password": "correct horse",
            "new_password": "battery staple",
            "confirm": "battery staple",
        },
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 302
    assert laptop.get("/api/v1/me").get_json()["user"]["kind"] == "registered"
    assert phone.get("/api/v1/me").get_json()["user"] is None
    assert sign_in(app.test_client(), password="battery staple").status_code == 302


def test_settings_validate_the_reminder_lead_time(
    client: FlaskClient, make_user, dbs: Session
) -> None:
    make_user()
    sign_in(client)
    bad = client.post(
        "/settings/",
        data={"form": "profile", "name": "Ada", "reminder_minutes": "61"},
        headers=SAME_ORIGIN,
    )
    assert bad.status_code == 422
    assert "Choose between 0 and 60 minutes." in bad.text
    client.post(
        "/settings/",
        data={"form": "profile", "name": "Ada L.", "reminder_minutes": "15"},
        headers=SAME_ORIGIN,
    )
    user = dbs.execute(select(User)).scalar_one()
    dbs.refresh(user)
    assert (user.name, user.reminder_minutes) == ("Ada L.", 15)


def test_settings_need_a_user(client: FlaskClient) -> None:
    response = client.get("/settings/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_name_must_be_one_line(client: FlaskClient, dbs: Session) -> None:
    response = client.post(
        "/register",
        data={
            "email": "ada@example.org",
            "password": "correct horse",
            "confirm": "correct horse",
            "name": "Ada\r\nBcc: x",
        },
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422
    assert "Type your name on one line" in response.text
    assert dbs.execute(select(func.count()).select_from(User)).scalar_one() == 0


@pytest.mark.parametrize("email", ["x\u202e@example.org", "ada@example.org\u200b"])
def test_an_address_with_invisible_characters_is_refused(client: FlaskClient, email: str):
    """Probe 3, N2: such an address looks exactly like another person's."""
    response = client.post(
        "/register",
        data={"email": email, "password": "correct horse", "confirm": "correct horse"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422
