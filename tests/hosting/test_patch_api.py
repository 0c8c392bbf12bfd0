"""PATCH /api/v1/sessions/<guid>: who may edit, optimistic locking, the rules, the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.hosting.models import AuditEntry
from companion.notify.models import Notification
from companion.programme.models import Conference, Talk
from tests.conftest import SAME_ORIGIN
from tests.hosting.conftest import as_user


def _patch(client: FlaskClient, talk: Talk, body: dict[str, Any], version: str | None = "1"):
    headers = dict(SAME_ORIGIN)
    if version is not None:
        headers["If-Match"] = f'W/"v{version}"'
    return client.patch(f"/api/v1/sessions/{talk.guid}", json=body, headers=headers)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("guest", 401),
        ("attendee", 403),
        ("other-host", 403),
        ("host", 200),
        ("organiser", 200),
    ],
)
def test_who_may_edit_a_session(app: Flask, setting, who: str | None, status: int) -> None:
    if who == "guest":
        who = f"guest:{setting['apis'].guid}"
    response = _patch(as_user(app, who), setting["streams"], {"title": "Streams!"})
    assert response.status_code == status, response.get_json()


def test_a_host_cannot_move_a_session_into_a_track_they_do_not_host(app: Flask, setting) -> None:
    response = _patch(as_user(app, "host"), setting["streams"], {"track": "apis"})
    assert response.status_code == 403
    assert "only into a track you host" in response.get_json()["error"]["message"]


def test_edits_need_the_version_and_a_stale_one_is_refused(
    app: Flask, setting, dbs: Session
) -> None:
    host = as_user(app, "host")
    assert _patch(host, setting["streams"], {"title": "x"}, version=None).status_code == 428
    first = _patch(host, setting["streams"], {"title": "Streams at scale"})
    assert first.status_code == 200 and first.headers["ETag"] == 'W/"v2"'
    organiser = as_user(app, "organiser")
    stale = _patch(organiser, setting["streams"], {"title": "Streams, mine"}, version="1")
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["version"] == 2 and error["current"]["title"] == "Streams at scale"
    dbs.expire_all()
    assert dbs.get(Talk, setting["streams"].id).title == "Streams at scale"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"end": "2020-03-02T09:00"}, "end", "must end after it starts"),
        (
            {"start": "2020-03-09T10:00", "end": "2020-03-09T10:50"},
            "start",
            "during the conference",
        ),
        ({"room": "whittle"}, "room_id", "“APIs” is in this room then (10:00–10:50)"),
        ({"room": "nowhere"}, "room", "There is no room “nowhere”"),
        ({"start": "tomorrow"}, "start", "Use ISO 8601"),
        ({"title": "  "}, "title", "needs a title"),
    ],
)
def test_rules_are_checked_and_nothing_is_half_written(
    app: Flask, setting, dbs: Session, body: dict[str, Any], field: str, text: str
) -> None:
    response = _patch(as_user(app, "organiser"), setting["streams"], body)
    assert response.status_code == 422
    assert text in response.get_json()["error"]["fields"][field]
    dbs.expire_all()
    assert dbs.get(Talk, setting["streams"].id).version == 1  # type: ignore[union-attr]
    assert dbs.execute(select(AuditEntry)).scalars().all() == []


def test_a_speaker_in_two_places_is_a_warning_to_confirm(app: Flask, setting) -> None:
    organiser = as_user(app, "organiser")
    body = {"start": "2020-03-02T11:10", "end": "2020-03-02T11:40", "room": "whittle"}
    warned = _patch(organiser, setting["streams"], body)
    assert warned.status_code == 422
    assert warned.get_json()["error"]["warnings"] == [
        "Ada is also in “Later in Fleming” at that time (11:00–11:50)."
    ]
    assert _patch(organiser, setting["streams"], {**body, "confirm": True}).status_code == 200


def test_a_move_is_audited_and_queued_for_attendees_but_a_typo_fix_is_not(
    app: Flask, setting, dbs: Session
) -> None:
    host = as_user(app, "host")
    _patch(host, setting["streams"], {"title": "Streams (typo fixed)"})
    assert dbs.execute(select(Notification)).scalars().all() == []
    moved = _patch(
        host,
        setting["streams"],
        {"start": "2020-03-02T14:10", "end": "2020-03-02T15:00"},
        version="2",
    )
    assert moved.status_code == 200
    assert moved.get_json()["start"] == "2020-03-02T14:10:00Z"
    assert moved.headers["ETag"] == 'W/"v3"'  # one save, one version
    rows = [
        (a.actor, a.action, a.field, a.old, a.new)
        for a in dbs.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    ]
    assert rows == [
        ("Ada", "update", "title", "Streams", "Streams (typo fixed)"),
        ("Ada", "update", "start", "2020-03-02 10:00", "2020-03-02 14:10"),
        ("Ada", "update", "end", "2020-03-02 10:50", "2020-03-02 15:00"),
    ]
    [alert] = dbs.execute(select(Notification)).scalars().all()
    assert (alert.kind, alert.talk_id, alert.state) == ("change", setting["streams"].id, "open")
    conference = dbs.execute(select(Conference)).scalar_one()
    assert conference.revision > 1


def test_the_changelog_lists_moves_and_cancellations_newest_first(app: Flask, setting) -> None:
    from xml.etree import ElementTree

    organiser = as_user(app, "organiser")
    assert "No changes so far" in organiser.get("/testconf/changes/").text
    _patch(organiser, setting["streams"], {"title": "Streams (typo)"})
    _patch(
        organiser,
        setting["streams"],
        {"room": "whittle", "start": "2020-03-02T14:10", "end": "2020-03-02T15:00"},
        version="2",
    )
    _patch(organiser, setting["apis"], {"status": "cancelled"})
    page = app.test_client().get("/testconf/changes/").text
    assert page.index("APIs") < page.index("Streams (typo)")
    assert (
        "Moved from Fleming to Whittle · Starts 2020-03-02 14:10 (was 2020-03-02 10:00) · "
        "Ends 2020-03-02 15:00 (was 2020-03-02 10:50)"
    ) in page
    assert "Cancelled" in page and "typo" not in page.split("Streams (typo)")[1][:40]
    atom = app.test_client().get("/testconf/changes.atom")
    assert atom.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ElementTree.fromstring(atom.data)  # our own output, not untrusted input
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert titles == ["APIs", "Streams (typo)"]


def test_the_api_cancels_a_starred_session_without_the_forms_question(
    app: Flask, setting, dbs: Session
) -> None:
    as_user(app, f"guest:{setting['streams'].guid}")
    response = _patch(as_user(app, "host"), setting["streams"], {"status": "cancelled"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"


@pytest.mark.parametrize(
    "title", ["Streams\r\nSET-COOKIE: x", "Streams\nat scale", "A\tB", "A\x0bB"]
)
def test_a_title_must_be_one_line(app: Flask, setting, dbs: Session, title: str) -> None:
    response = _patch(as_user(app, "host"), setting["streams"], {"title": title})
    assert response.status_code == 422
    assert "one line of visible text" in response.get_json()["error"]["fields"]["title"]
    dbs.expire_all()
    assert dbs.get(Talk, setting["streams"].id).title == "Streams"


def test_unknown_fields_are_named_not_ignored(app: Flask, setting, dbs: Session) -> None:
    response = _patch(
        as_user(app, "host"), setting["streams"], {"title": "Streams!", "tilte": "x", "rom": "y"}
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert sorted(fields) == ["rom", "tilte"]
    assert fields["tilte"].startswith("Not a field that can be changed here; use title, abstract")
    dbs.expire_all()
    assert dbs.get(Talk, setting["streams"].id).title == "Streams"


def test_no_export_breaks_on_a_line_break_stored_before_the_rule(
    app: Flask, client: FlaskClient, setting, dbs: Session
) -> None:
    """Rows written before the rule (or imported) keep every export answering."""
    talk = dbs.get(Talk, setting["streams"].id)
    talk.title = "Streams\r\nat scale\x01"
    talk.track.name = "Stream\ning"
    dbs.commit()
    conf = setting["conference"].slug
    for url in (
        f"/{conf}/sessions/{talk.guid}.ics",
        f"/{conf}/tracks/{talk.track.slug}.ics",
        f"/{conf}/schedule.ics",
        f"/{conf}/schedule.xml",
        f"/{conf}/schedule.json",
        f"/{conf}/changes.atom",
        f"/{conf}/sessions/{talk.guid}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    ics = client.get(f"/{conf}/sessions/{talk.guid}.ics").text
    assert "SUMMARY:Streams at scale\r\n" in ics
    assert "X-WR-CALNAME:Streams at scale\r\n" in ics
