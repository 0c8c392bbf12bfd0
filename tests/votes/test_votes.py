"""QCon's three-colour vote (issue 18): one card per person per session, from its start to the
end of its day; bad input answered with a message; nothing of it public or in the programme."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.accounts.models import User
from companion.live.models import LiveEvent
from companion.programme.models import Conference, Talk
from companion.votes.models import Vote
from tests.conftest import SAME_ORIGIN, sign_in
from tests.hosting.conftest import as_user

DURING = "2020-03-02T10:20:00+00:00"


def _votes(dbs: Session) -> list[tuple[str, str, str | None]]:
    dbs.expire_all()
    rows = dbs.execute(
        select(User.email, Vote.colour, Vote.comment)
        .join(User, User.id == Vote.user_id)
        .order_by(Vote.user_id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _put(client: FlaskClient, talk: Talk, body: Any) -> Any:
    return client.put(f"/api/v1/me/votes/{talk.guid}", json=body, headers=SAME_ORIGIN)


@pytest.fixture
def during(app: Flask) -> None:
    app.config["FIXED_NOW"] = DURING


def test_a_vote_before_the_session_starts_is_refused_and_says_when(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    app.config["FIXED_NOW"] = "2020-03-02T09:59:00+00:00"
    answer = _put(app.test_client(), setting["streams"], {"vote": "green"})
    assert answer.status_code == 409
    assert answer.json["error"]["message"] == "Voting opens when the session starts, at 10:00."
    assert _votes(dbs) == []
    assert dbs.scalar(select(func.count()).select_from(User)) == 4  # no guest made for nothing


def test_one_vote_per_person_whatever_the_retries_and_devices(
    app: Flask, setting: dict[str, Any], dbs: Session, during: None
) -> None:
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        assert sign_in(device, email="attendee@example.org").status_code == 302
    first = _put(phone, setting["streams"], {"vote": "green", "comment": "Loved the demo"})
    assert (first.status_code, first.json["vote"]) == (201, "green")
    assert first.json["closes"] == "2020-03-03T04:00:00+00:00"  # the day ends at 04:00
    assert _put(phone, setting["streams"], {"vote": "green"}).status_code == 200  # a retry
    assert _put(laptop, setting["streams"], {"vote": "yellow"}).status_code == 200
    assert _votes(dbs) == [("attendee@example.org", "yellow", None)]
    mine = phone.get("/api/v1/me/votes?conference=testconf").json
    assert mine == {"votes": {setting["streams"].guid: {"vote": "yellow", "comment": None}}}


def test_a_vote_changes_until_the_end_of_the_day_and_not_after(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    client = as_user(app, "attendee")
    app.config["FIXED_NOW"] = "2020-03-03T03:59:00+00:00"  # after midnight: still its day
    assert _put(client, setting["streams"], {"vote": "red"}).status_code == 201
    app.config["FIXED_NOW"] = "2020-03-03T04:00:00+00:00"
    late = _put(client, setting["streams"], {"vote": "green"})
    assert late.status_code == 409
    assert late.json["error"]["message"] == "Voting on this session closed at the end of its day."
    gone = client.delete(f"/api/v1/me/votes/{setting['streams'].guid}", headers=SAME_ORIGIN)
    assert gone.status_code == 409
    assert _votes(dbs) == [("attendee@example.org", "red", None)]


def test_taking_a_card_back(
    app: Flask, setting: dict[str, Any], dbs: Session, during: None
) -> None:
    client = as_user(app, "attendee")
    _put(client, setting["streams"], {"vote": "green"})
    gone = client.delete(f"/api/v1/me/votes/{setting['streams'].guid}", headers=SAME_ORIGIN)
    assert (gone.status_code, gone.json["vote"]) == (200, None)
    assert _votes(dbs) == []
    nobody = app.test_client().delete(
        f"/api/v1/me/votes/{setting['streams'].guid}", headers=SAME_ORIGIN
    )
    assert nobody.status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"vote": "blue"}, 422, 'Choose a card: "green", "yellow" or "red".'),
        ({}, 422, 'Choose a card: "green", "yellow" or "red".'),
        ({"vote": ["green"]}, 422, 'Choose a card: "green", "yellow" or "red".'),
        (
            {"vote": "red", "comment": "x" * 281},
            422,
            "Keep the comment to 280 characters (this one has 281).",
        ),
        (
            {"vote": "red", "comment": "bad\x07bell"},
            422,
            "The comment contains characters that cannot be used.",
        ),
        ({"vote": "red", "comment": 5}, 422, "The comment must be text."),
        ("green", 400, 'Send JSON such as {"vote": "green", "comment": "Loved the demo"}.'),
    ],
)
def test_bad_votes_are_refused_with_a_message(
    app: Flask,
    setting: dict[str, Any],
    dbs: Session,
    during: None,
    body: Any,
    status: int,
    message: str,
) -> None:
    answer = _put(as_user(app, "attendee"), setting["streams"], body)
    assert (answer.status_code, answer.json["error"]["message"]) == (status, message)
    assert _votes(dbs) == []


def test_breaks_cancelled_and_unknown_sessions_take_no_votes(
    app: Flask, setting: dict[str, Any], make_talk, dbs: Session, during: None
) -> None:
    conference = setting["conference"]
    coffee = make_talk(conference, "Coffee", start="10:00", end="10:30", kind="break", room=None)
    off = make_talk(conference, "Off", start="10:00", end="10:30", status="cancelled", room=None)
    client = as_user(app, "attendee")
    assert _put(client, coffee, {"vote": "green"}).json["error"]["message"] == (
        "Breaks take no votes."
    )
    assert _put(client, off, {"vote": "green"}).status_code == 409
    missing = client.put("/api/v1/me/votes/nope", json={"vote": "green"}, headers=SAME_ORIGIN)
    assert missing.status_code == 404
    assert _votes(dbs) == []


def test_a_guest_votes_and_a_second_guest_is_counted_as_new(
    app: Flask, setting: dict[str, Any], dbs: Session, during: None
) -> None:
    # Clearing cookies makes another guest: allowed, but visible to the host as a new guest.
    for _ in range(2):
        assert _put(app.test_client(), setting["streams"], {"vote": "red"}).status_code == 201
    assert _votes(dbs) == [(None, "red", None), (None, "red", None)]
    page = as_user(app, "host").get("/testconf/host/votes/").text
    assert "2 of these are from guests who first used the app after the session started." in page


def test_a_guests_votes_join_the_account_they_sign_in_to(
    app: Flask, setting: dict[str, Any], dbs: Session, during: None
) -> None:
    account = as_user(app, "attendee")
    _put(account, setting["streams"], {"vote": "red"})
    app.config["FIXED_NOW"] = "2020-03-02T10:25:00+00:00"
    guest = app.test_client()
    _put(guest, setting["streams"], {"vote": "green", "comment": "Changed my mind"})
    _put(guest, setting["apis"], {"vote": "yellow"})
    assert sign_in(guest, email="attendee@example.org").status_code == 302
    assert sorted(_votes(dbs), key=str) == [
        ("attendee@example.org", "green", "Changed my mind"),
        ("attendee@example.org", "yellow", None),
    ]


def test_the_form_votes_without_javascript(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    client = as_user(app, "attendee")
    url = f"/testconf/sessions/{setting['streams'].guid}/vote"
    app.config["FIXED_NOW"] = "2020-03-02T09:00:00+00:00"
    early = client.post(url, data={"vote": "green"}, headers=SAME_ORIGIN)
    assert early.status_code == 409
    assert "Voting opens when the session starts, at 10:00." in early.text
    app.config["FIXED_NOW"] = DURING
    done = client.post(url, data={"vote": "green", "comment": "Great"}, headers=SAME_ORIGIN)
    assert done.status_code == 200
    assert "You dropped a <strong>green</strong> card (Great)" in done.text
    assert "You can change it until the end of the day (04:00)." in done.text
    assert _votes(dbs) == [("attendee@example.org", "green", "Great")]
    back = client.post(url, data={"vote": "withdraw"}, headers=SAME_ORIGIN)
    assert (back.status_code, _votes(dbs)) == (200, [])
    other = client.post(
        f"/otherconf/sessions/{setting['streams'].guid}/vote",
        data={"vote": "green"},
        headers=SAME_ORIGIN,
    )
    assert other.status_code == 404


def test_a_vote_is_not_a_programme_change(
    app: Flask, setting: dict[str, Any], dbs: Session, during: None
) -> None:
    before = dbs.get(Conference, setting["conference"].id).revision
    events = dbs.scalar(select(func.count()).select_from(LiveEvent))
    _put(as_user(app, "attendee"), setting["streams"], {"vote": "green"})
    dbs.expire_all()
    assert dbs.get(Conference, setting["conference"].id).revision == before
    assert dbs.scalar(select(func.count()).select_from(LiveEvent)) == events
    programme = app.test_client().get("/testconf/schedule.json").text
    assert "green" not in programme
