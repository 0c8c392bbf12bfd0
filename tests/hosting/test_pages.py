"""The host's session form: the same rules as the API, with messages next to the fields."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.hosting.models import AuditEntry
from companion.programme.models import Room, Talk
from tests.conftest import SAME_ORIGIN
from tests.hosting.test_patch_api import _as, setting  # noqa: F401 - the shared fixture


def _form(talk: Talk, **values: str) -> dict[str, str]:
    base = {
        "title": talk.title,
        "abstract": "",
        "kind": "talk",
        "track": str(talk.track_id),
        "room": str(talk.room_id),
        "day": "2020-03-02",
        "start": "10:00",
        "end": "10:50",
        "status": "scheduled",
        "version": "1",
    }
    return {**base, **values}


def test_hosts_see_their_tracks_and_edit_a_session(
    app: Flask,
    setting: dict[str, Any],  # noqa: F811
    dbs: Session,
) -> None:
    host = _as(app, "host")
    page = host.get("/testconf/host/").text
    assert "Streams" in page and "APIs" not in page
    url = f"/testconf/host/sessions/{setting['streams'].guid}/"
    assert 'value="Streams"' in host.get(url).text
    whittle = dbs.execute(select(Room).where(Room.slug == "whittle")).scalar_one()
    saved = host.post(
        url,
        data=_form(setting["streams"], room=str(whittle.id), start="12:00", end="12:50"),
        headers=SAME_ORIGIN,
    )
    assert saved.status_code == 302 and saved.headers["Location"] == "/testconf/host/"
    dbs.expire_all()
    talk = dbs.get(Talk, setting["streams"].id)
    assert talk is not None and (talk.room_id, talk.version) == (whittle.id, 2)
    assert {a.field for a in dbs.execute(select(AuditEntry)).scalars()} == {"room", "start", "end"}
    assert _as(app, "other-host").get(url).status_code == 403


def test_a_stale_form_is_409_and_keeps_the_input(app: Flask, setting: dict[str, Any]) -> None:  # noqa: F811
    url = f"/testconf/host/sessions/{setting['streams'].guid}/"
    organiser, host = _as(app, "organiser"), _as(app, "host")
    assert (
        organiser.post(
            url, data=_form(setting["streams"], title="Organiser's title"), headers=SAME_ORIGIN
        ).status_code
        == 302
    )
    stale = host.post(
        url, data=_form(setting["streams"], title="Host's title"), headers=SAME_ORIGIN
    )
    assert stale.status_code == 409
    assert "Saved meanwhile" in stale.text
    assert 'value="Host&#39;s title"' in stale.text  # the person's input is still there
    assert "Organiser&#39;s title" in stale.text  # and what changed meanwhile
    assert 'name="version" value="2"' in stale.text  # saving again replaces it knowingly


def test_rules_are_shown_next_to_the_field(
    app: Flask,
    setting: dict[str, Any],  # noqa: F811
    dbs: Session,
) -> None:
    url = f"/testconf/host/sessions/{setting['streams'].guid}/"
    whittle = dbs.execute(select(Room).where(Room.slug == "whittle")).scalar_one()
    clash = _as(app, "host").post(
        url, data=_form(setting["streams"], room=str(whittle.id)), headers=SAME_ORIGIN
    )
    assert clash.status_code == 422
    assert 'id="f-room-error">“APIs” is in this room then (10:00–10:50).' in clash.text
    backwards = _as(app, "host").post(
        url, data=_form(setting["streams"], end="09:00"), headers=SAME_ORIGIN
    )
    assert backwards.status_code == 422 and "must end after it starts" in backwards.text
