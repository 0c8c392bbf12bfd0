"""Whatever people type into the editing forms and API — digits that are not ASCII, numbers no
column holds, dates at the ends of the calendar, control characters — gets a 4xx with a message,
never a 500, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.hosting.models import AuditEntry
from tests.conftest import SAME_ORIGIN
from tests.hosting.conftest import as_user

HUGE = "9" * 30


def _session_form(setting: dict[str, Any], **values: Any) -> dict[str, Any]:
    talk = setting["streams"]
    base = {
        "title": "Streams",
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


def _conference_form(**values: str) -> dict[str, str]:
    base = {
        "name": "Test Conf",
        "timezone": "Europe/London",
        "start_date": "2020-03-02",
        "end_date": "2020-03-04",
        "day_change_hour": "4",
    }
    return {**base, **values}


EDIT = "/testconf/host/sessions/{guid}/"
MOVE = "/testconf/host/sessions/{guid}/move"

CASES: list[tuple[str, str, str, Any]] = [
    # (id, method, url, form data or JSON body)
    ("room-superscript", "POST", EDIT, {"room": "²"}),
    ("track-huge", "POST", EDIT, {"track": HUGE}),
    ("speakers-superscript", "POST", EDIT, {"speakers": ["²"]}),
    ("speakers-huge", "POST", EDIT, {"speakers": [HUGE]}),
    ("version-superscript", "POST", EDIT, {"version": "²"}),
    ("day-end-of-time", "POST", EDIT, {"day": "9999-12-31", "start": "00:30"}),
    ("time-24", "POST", EDIT, {"start": "24:00"}),
    ("title-control", "POST", EDIT, {"title": "Streams\x01"}),
    ("new-speaker-control", "POST", EDIT, {"new_speaker": "Ada\x07"}),
    ("move-minutes-superscript", "POST", MOVE, {"version": "1", "minutes": "²"}),
    ("move-minutes-huge", "POST", MOVE, {"version": "1", "minutes": HUGE}),
    ("move-preset-negative-superscript", "POST", MOVE, {"version": "1", "preset": "-²"}),
    ("move-room-huge", "POST", MOVE, {"version": "1", "room": HUGE}),
    ("move-status-unknown", "POST", MOVE, {"version": "1", "status": "postponed"}),
    ("conference-hour", "POST", "/testconf/admin/conference", {"day_change_hour": "²"}),
    (
        "conference-end-of-time",
        "POST",
        "/testconf/admin/conference",
        {"start_date": "9999-12-30", "end_date": "9999-12-31"},
    ),
    (
        "conference-start-of-time",
        "POST",
        "/testconf/admin/conference",
        {"start_date": "0001-01-01", "end_date": "0001-01-02", "timezone": "Asia/Tokyo"},
    ),
    ("conference-name-twice", "POST", "/testconf/admin/conference", {"name": ["\x01", "A"]}),
    ("floor-level", "POST", "/testconf/admin/floors/", {"name": "F", "level": "-²"}),
    ("floor-level-huge", "POST", "/testconf/admin/floors/", {"name": "F", "level": HUGE}),
    ("room-floor", "POST", "/testconf/admin/rooms/", {"name": "R", "floor": "²"}),
    ("room-capacity", "POST", "/testconf/admin/rooms/", {"name": "R", "capacity": HUGE}),
    (
        "role-track",
        "POST",
        "/testconf/admin/roles/",
        {"email": "x@example.org", "kind": "host", "track": "²"},
    ),
    (
        "track-hosts",
        "POST",
        "/testconf/admin/tracks/",
        {"name": "T", "colour": "#123456", "hosts": ["²"]},
    ),
    ("role-delete-huge", "POST", f"/testconf/admin/roles/{HUGE}/delete", {}),
    ("reset-email-control", "POST", "/password-reset/", {"email": "a\x00b@example.org"}),
    ("reset-email-huge", "POST", "/password-reset/", {"email": "a" * 5000 + "@example.org"}),
    ("reset-token-huge", "POST", f"/password-reset/{'x' * 3000}", {"password": "x" * 9}),
    ("reset-token-odd", "GET", "/password-reset/%C2%B2%00", None),
    ("audit-before", "GET", "/testconf/admin/audit/?before=²", None),
    ("audit-before-huge", "GET", f"/testconf/admin/audit/?before={HUGE}", None),
    ("new-session-track", "GET", "/testconf/host/sessions/new?track=²", None),
    ("api-start-of-time", "PATCH", "/api/v1/sessions/{guid}", {"start": "0001-01-01T00:00+01:00"}),
    ("api-end-of-time", "PATCH", "/api/v1/sessions/{guid}", {"start": "9999-12-31T23:59-05:00"}),
    ("api-title-control", "PATCH", "/api/v1/sessions/{guid}", {"title": "Streams\x01"}),
    ("api-speakers-type", "PATCH", "/api/v1/sessions/{guid}", {"speakers": [1, 2]}),
    ("api-if-match-huge", "PATCH", "/api/v1/sessions/{guid}", {"title": "x", "_if_match": HUGE}),
]


@pytest.mark.parametrize(("name", "method", "url", "payload"), CASES, ids=[c[0] for c in CASES])
def test_odd_input_is_a_4xx_and_changes_nothing(
    app: Flask,
    setting: dict[str, Any],
    dbs: Session,
    name: str,
    method: str,
    url: str,
    payload: Any,
) -> None:
    organiser = as_user(app, "organiser")
    url = url.format(guid=setting["streams"].guid)
    headers = dict(SAME_ORIGIN)
    if method == "GET":
        response = organiser.get(url)
        assert response.status_code < 500
        return
    if url.startswith("/api/"):
        body = dict(payload)
        headers["If-Match"] = f'W/"v{body.pop("_if_match", "1")}"'
        response = organiser.patch(url, json=body, headers=headers)
    else:
        data = payload
        if url == EDIT.format(guid=setting["streams"].guid):
            data = _session_form(setting, **payload)
        elif url.endswith("/admin/conference"):
            data = _conference_form(**{k: v for k, v in payload.items() if k != "name"})
            if "name" in payload:
                data = {**data, "name": payload["name"]}
        response = organiser.post(url, data=data, headers=headers)
    assert 400 <= response.status_code < 500 or (
        response.status_code == 302 and "delete" in url  # refused deletes go back with a message
    ), (response.status_code, response.text[:300])
    assert dbs.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0
