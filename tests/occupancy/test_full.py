"""Room full / open (issue 18): who may mark a room, until when, the live event it sends, and
that it clears itself when the session ends without moving the programme's revision."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.live.models import LiveEvent
from companion.programme.models import Conference
from tests.conftest import SAME_ORIGIN
from tests.hosting.conftest import as_user

FLEMING = "/api/v1/conferences/testconf/rooms/fleming/full"
STATUS = "/api/v1/conferences/testconf/rooms/full"


def _now(app: Flask, hhmm: str) -> None:
    app.config["FIXED_NOW"] = f"2020-03-02T{hhmm}:00+00:00"


def _room_events(dbs: Session) -> list[dict[str, Any]]:
    dbs.expire_all()
    rows = dbs.execute(
        select(LiveEvent.data).where(LiveEvent.kind == "room").order_by(LiveEvent.id)
    )
    return list(rows.scalars())


def test_a_host_marks_the_room_of_their_session_full_until_it_ends(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    _now(app, "10:20")
    revision = dbs.get(Conference, setting["conference"].id).revision
    answer = as_user(app, "host").put(FLEMING, headers=SAME_ORIGIN)
    assert answer.status_code == 200
    assert answer.json == {"room": "fleming", "full": True, "until": "2020-03-02T10:50:00+00:00"}
    assert _room_events(dbs) == [
        {
            "room": "fleming",
            "name": "Fleming",
            "full": True,
            "until": "2020-03-02T10:50:00+00:00",
            "session": setting["streams"].guid,
        }
    ]
    status = app.test_client().get(STATUS)
    assert status.json["rooms"]["fleming"]["until"] == "2020-03-02T10:50:00+00:00"
    assert status.headers["Cache-Control"] == "no-cache"
    again = app.test_client().get(STATUS, headers={"If-None-Match": status.headers["ETag"]})
    assert again.status_code == 304
    dbs.expire_all()
    assert dbs.get(Conference, setting["conference"].id).revision == revision
    _now(app, "10:50")  # the session is over: the room is open again, with nothing run
    assert app.test_client().get(STATUS).json == {"rooms": {}}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("guest", 403),
        ("attendee", 403),
        ("other-host", 403),
        ("host", 200),
        ("organiser", 200),
    ],
)
def test_who_may_mark_a_room_full(
    app: Flask, setting: dict[str, Any], dbs: Session, who: str | None, status: int
) -> None:
    _now(app, "10:20")
    person = f"guest:{setting['apis'].guid}" if who == "guest" else who
    answer = as_user(app, person).put(FLEMING, headers=SAME_ORIGIN)
    assert answer.status_code == status
    if who == "other-host":
        assert answer.json["error"]["message"] == (
            "You can mark a room full only during the sessions of the tracks you host."
        )
    assert len(_room_events(dbs)) == (1 if status == 200 else 0)
    if status != 200:
        assert app.test_client().get(STATUS).json == {"rooms": {}}
    closing = as_user(app, person).delete(FLEMING, headers=SAME_ORIGIN)
    assert closing.status_code == status


def test_a_room_can_be_marked_full_before_its_next_session(
    app: Flask, setting: dict[str, Any]
) -> None:
    _now(app, "10:55")  # between Streams and "Later in Fleming" (11:00–11:50, Streaming)
    answer = as_user(app, "host").put(FLEMING, headers=SAME_ORIGIN)
    assert answer.json["until"] == "2020-03-02T11:50:00+00:00"


def test_nothing_on_is_a_conflict_for_hosts_and_a_refusal_for_others(
    app: Flask, setting: dict[str, Any]
) -> None:
    _now(app, "13:00")
    answer = as_user(app, "host").put(FLEMING, headers=SAME_ORIGIN)
    assert (answer.status_code, answer.json["error"]["message"]) == (
        409,
        "Nothing is on in Fleming now or in the next 30 minutes.",
    )
    assert as_user(app, "attendee").put(FLEMING, headers=SAME_ORIGIN).status_code == 403


def test_open_again_tells_every_screen_once(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    _now(app, "10:20")
    host = as_user(app, "host")
    host.put(FLEMING, headers=SAME_ORIGIN)
    assert host.put(FLEMING, headers=SAME_ORIGIN).status_code == 200  # a double tap
    gone = host.delete(FLEMING, headers=SAME_ORIGIN)
    assert gone.json == {"room": "fleming", "full": False, "until": None}
    assert host.delete(FLEMING, headers=SAME_ORIGIN).status_code == 200
    assert [event["full"] for event in _room_events(dbs)] == [True, True, False]
    assert app.test_client().get(STATUS).json == {"rooms": {}}


def test_bad_addresses_and_forged_requests(app: Flask, setting: dict[str, Any]) -> None:
    _now(app, "10:20")
    host = as_user(app, "host")
    missing = host.put("/api/v1/conferences/testconf/rooms/nowhere/full", headers=SAME_ORIGIN)
    assert missing.status_code == 404
    other = host.put("/api/v1/conferences/nope/rooms/fleming/full", headers=SAME_ORIGIN)
    assert other.status_code == 404
    assert host.put(FLEMING).status_code == 400  # no CSRF token, not same-origin
    assert app.test_client().get(STATUS).json == {"rooms": {}}


def test_the_next_sessions_host_marks_the_queue_at_the_door(
    app: Flask, setting: dict[str, Any], make_talk, dbs: Session
) -> None:
    """In Whittle APIs runs 10:00–10:50 (other-host's); Streaming follows at 11:00 (host's)."""
    make_talk(
        setting["conference"],
        "Streaming next",
        start="11:00",
        end="11:50",
        room="Whittle",
        track="Streaming",
    )
    whittle = "/api/v1/conferences/testconf/rooms/whittle/full"
    _now(app, "10:40")
    queue = as_user(app, "host").put(whittle, headers=SAME_ORIGIN)
    assert (queue.status_code, queue.json["until"]) == (200, "2020-03-02T11:50:00+00:00")
    now_on = as_user(app, "other-host").put(whittle, headers=SAME_ORIGIN)
    assert (now_on.status_code, now_on.json["until"]) == (200, "2020-03-02T10:50:00+00:00")
    _now(app, "10:51")  # APIs' sign ran out: opening checks the next session's track, not APIs'
    assert as_user(app, "host").delete(whittle, headers=SAME_ORIGIN).status_code == 200
    assert app.test_client().get(STATUS).json == {"rooms": {}}
