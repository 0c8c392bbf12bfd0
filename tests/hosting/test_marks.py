"""Change marks: each session's net change over the day before the programme's latest change,
from the audit log (companion/hosting/marks.py), and the pages that show them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from companion.hosting.marks import marks_from_entries, recent_marks
from companion.hosting.models import AuditEntry
from companion.programme.marks import Mark, TalkMarks
from companion.programme.models import Conference, Room, Talk
from companion.programme.queries import get_conference, get_talk_or_404
from tests.hosting.conftest import as_user

LONDON = Conference(
    slug="c",
    name="C",
    timezone="Europe/London",
    start_date=datetime(2020, 3, 2).date(),
    day_change_hour=4,
)
T0 = datetime(2020, 3, 1, 9, 0, tzinfo=UTC)  # when the edits below happen, an hour apart


def _talk(
    room: str | None = "Fleming", start: str = "10:20", end: str = "11:10", **more: Any
) -> Talk:
    day = more.pop("day", 2)
    return Talk(
        guid="g1",
        title="Streams",
        room=Room(name=room, slug=room.lower()) if room else None,
        start=datetime(2020, 3, day, *map(int, start.split(":")), tzinfo=UTC),
        end=datetime(2020, 3, day, *map(int, end.split(":")), tzinfo=UTC),
        **more,
    )


def _entry(hour: int, field: str, old: str | None, new: str | None, action: str = "update"):
    return AuditEntry(
        talk_guid="g1",
        at=T0 + timedelta(hours=hour),
        subject="session",
        action=action,
        field=field,
        old=old,
        new=new,
    )


def _marks(talk: Talk, *entries: AuditEntry) -> tuple[Mark, ...]:
    found = marks_from_entries(LONDON, [talk], entries)
    return found["g1"].marks if "g1" in found else ()


def test_a_moved_session_says_where_it_was() -> None:
    assert _marks(_talk("Fleming"), _entry(0, "room", "Whittle", "Fleming")) == (
        Mark("moved", T0, room="Whittle"),
    )


def test_a_retimed_session_says_when_it_was() -> None:
    talk = _talk(start="11:00", end="11:50")
    marks = _marks(
        talk,
        _entry(0, "start", "2020-03-02 10:20", "2020-03-02 11:00"),
        _entry(0, "end", "2020-03-02 11:10", "2020-03-02 11:50"),
    )
    was = datetime(2020, 3, 2, 10, 20, tzinfo=UTC)
    assert marks == (Mark("retimed", T0, was_start=was, was_end=was + timedelta(minutes=50)),)


def test_moved_and_retimed_gives_both_marks_with_their_own_times() -> None:
    talk = _talk("Fleming", start="11:00", end="11:50")
    marks = _marks(
        talk,
        _entry(0, "room", "Whittle", "Fleming"),
        _entry(2, "start", "2020-03-02 10:20", "2020-03-02 11:00"),
    )
    assert [(m.kind, m.changed_at) for m in marks] == [
        ("moved", T0),
        ("retimed", T0 + timedelta(hours=2)),
    ]


def test_moved_away_and_back_has_no_mark() -> None:
    talk = _talk("Whittle")
    entries = (_entry(0, "room", "Whittle", "Fleming"), _entry(1, "room", "Fleming", "Whittle"))
    assert marks_from_entries(LONDON, [talk], entries) == {}


def test_moved_twice_says_where_it_was_first_and_when_it_last_moved() -> None:
    talk = _talk("Moore")
    marks = _marks(
        talk, _entry(0, "room", "Whittle", "Fleming"), _entry(3, "room", "Fleming", "Moore")
    )
    assert marks == (Mark("moved", T0 + timedelta(hours=3), room="Whittle"),)


def test_a_room_deleted_since_is_still_named_by_the_audit_row() -> None:
    # Whittle is gone; its name lives on in the audit row. A session whose room was then
    # deleted has no room now: it still says where it was.
    assert _marks(_talk("Fleming"), _entry(0, "room", "Whittle", "Fleming"))[0].room == "Whittle"
    assert _marks(_talk(None), _entry(0, "room", "Fleming", "Moore")) == (
        Mark("moved", T0, room="Fleming"),
    )


def test_a_session_given_a_room_says_which() -> None:
    assert _marks(_talk("Fleming"), _entry(0, "room", None, "Fleming")) == (
        Mark("placed", T0, room="Fleming"),
    )


def test_uncancelled_says_back_on_and_cancelled_adds_nothing() -> None:
    back = _marks(
        _talk(status="scheduled"), _entry(0, "status", "cancelled", "scheduled", "restore")
    )
    assert back == (Mark("back-on", T0),)
    # The card already says "Cancelled"; cancelled and restored again says nothing.
    assert _marks(_talk(status="cancelled"), _entry(0, "status", "scheduled", "cancelled")) == ()
    twice = (
        _entry(0, "status", "scheduled", "cancelled", "cancel"),
        _entry(1, "status", "cancelled", "scheduled", "restore"),
    )
    assert _marks(_talk(status="scheduled"), *twice) == ()


def test_only_the_end_moved_shows_the_old_range() -> None:
    (mark,) = _marks(_talk(end="11:30"), _entry(0, "end", "2020-03-02 11:10", "2020-03-02 11:30"))
    assert mark.end_only and mark.was_end == datetime(2020, 3, 2, 11, 10, tzinfo=UTC)


def test_retimed_onto_another_day_names_the_old_day() -> None:
    talk = _talk(start="10:20", end="11:10", day=3)
    (mark,) = _marks(
        talk,
        _entry(0, "start", "2020-03-02 10:20", "2020-03-03 10:20"),
        _entry(0, "end", "2020-03-02 11:10", "2020-03-03 11:10"),
    )
    assert mark.other_day and not mark.end_only


def test_the_old_values_are_kept_for_live_changes() -> None:
    talk = _talk("Fleming", start="11:00", end="11:50")
    entries = (_entry(0, "room", "Whittle", "Fleming"),)
    found = marks_from_entries(LONDON, [talk], entries)["g1"]
    assert found == TalkMarks(
        found.marks,
        was_start=talk.start,
        was_end=talk.end,
        was_room="Whittle",
        was_cancelled=False,
    )


# --- The window, from the database, and the pages ----------------------------------------------


@pytest.fixture
def more_rooms(setting, dbs: Session) -> None:
    """Moore and Rutherford, free all day, to move sessions into."""
    for name in ("Moore", "Rutherford"):
        dbs.add(Room(conference_id=setting["conference"].id, name=name, slug=name.lower()))
    dbs.commit()


def _edit(app: Flask, talk: Talk, body: dict[str, Any], version: int = 1) -> None:
    response = as_user(app, "organiser").patch(
        f"/api/v1/sessions/{talk.guid}",
        json=body,
        headers={"Sec-Fetch-Site": "same-origin", "If-Match": f'W/"v{version}"'},
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def _age_audit(dbs: Session, guid: str, hours: int) -> None:
    """Make the audit rows of `guid` `hours` older than the programme's latest change."""
    latest = dbs.execute(select(Conference.updated_at)).scalar_one()
    dbs.execute(
        update(AuditEntry)
        .where(AuditEntry.talk_guid == guid)
        .values(at=latest - timedelta(hours=hours))
    )
    dbs.commit()


def test_changes_older_than_a_day_before_the_latest_change_earn_no_mark(
    app: Flask, setting, more_rooms, dbs: Session
) -> None:
    streams, apis = setting["streams"], setting["apis"]
    _edit(app, streams, {"room": "moore"})
    _edit(app, apis, {"start": "2020-03-02T12:00", "end": "2020-03-02T12:50"})
    _age_audit(dbs, streams.guid, 25)
    _age_audit(dbs, apis.guid, 23)
    with app.app_context():
        conference = get_conference(setting["conference"].id)
        talks = [get_talk_or_404(conference, t.guid) for t in (streams, apis)]
        found = recent_marks(conference, talks)
    assert list(found) == [apis.guid]
    assert [m.kind for m in found[apis.guid].marks] == ["retimed"]


def test_day_and_session_pages_show_the_marks(
    app: Flask, setting, more_rooms, dbs: Session
) -> None:
    streams = setting["streams"]
    _edit(app, streams, {"room": "moore", "start": "2020-03-02T12:00", "end": "2020-03-02T12:50"})
    at = dict(list(dbs.execute(select(AuditEntry.field, AuditEntry.at))))
    stamp = {name: at[name].isoformat().replace("+00:00", "Z") for name in at}
    moved = (
        f'<span class="badge badge-changed" data-mark="moved" data-changed-at="{stamp["room"]}">'
        "Moved from Fleming</span>"
    )
    retimed = (
        '<span class="badge badge-changed" data-mark="retimed" '
        f'data-changed-at="{stamp["end"]}">'
        'New time, was <time datetime="2020-03-02T10:00:00Z" data-format="clock">10:00</time>'
        "</span>"
    )
    client = app.test_client()
    day = client.get("/testconf/programme/2020-03-02/").get_data(as_text=True)
    card = day.split(f'data-guid="{streams.guid}" data-track')[1].split("</article>")[0]
    assert moved in card and retimed in card
    assert (
        'data-was-start="2020-03-02T10:00:00Z" data-was-end="2020-03-02T10:50:00Z" '
        'data-was-room="Fleming" data-was-cancelled="false"'
    ) in card
    session = client.get(f"/testconf/sessions/{streams.guid}/").get_data(as_text=True)
    assert moved in session and retimed in session
    # The session that did not change carries none.
    other = day.split(f'data-guid="{setting["apis"].guid}" data-track')[1].split("</article>")[0]
    assert "data-mark" not in other


@pytest.mark.parametrize("url", ["/testconf/programme/2020-03-02/", "/testconf/tracks/streaming/"])
def test_marks_take_one_query_however_many_sessions_the_page_shows(
    app: Flask, setting, more_rooms, make_talk, dbs: Session, queries, url: str
) -> None:
    from companion.caching import reset_caches

    client = app.test_client()
    _edit(app, setting["streams"], {"room": "moore"})
    counts = []
    for more in (0, 6):
        for n in range(more):
            talk = make_talk(
                setting["conference"],
                f"More {n}",
                start=f"{13 + n}:00",
                end=f"{13 + n}:50",
                room="Fleming",
                track="Streaming",
            )
            dbs.add(
                AuditEntry(
                    conference_id=talk.conference_id,
                    talk_id=talk.id,
                    talk_guid=talk.guid,
                    talk_title=talk.title,
                    actor="Organiser",
                    action="update",
                    field="room",
                    old="Whittle",
                    new="Fleming",
                )
            )
        dbs.commit()
        reset_caches(app)
        with queries() as statements:
            page = client.get(url).get_data(as_text=True)
        counts.append((len(statements), page.count("Moved from ")))
    assert counts[0][0] == counts[1][0]
    assert [marked for _, marked in counts] == [1, 7]
