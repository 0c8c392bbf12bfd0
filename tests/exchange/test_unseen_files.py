"""Files the importer had never seen (issue 13): schedule 2's flat list of events, files with
no session in them, files that name no time zone, `day_change`, and what a round trip keeps."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from companion.db import session
from companion.exchange import schedule_json
from companion.exchange.apply import ImportResult
from companion.exchange.model import InvalidSchedule
from companion.programme.models import Conference, Room, Speaker, Talk, TalkStatus, Track
from tests.exchange.conftest import HUB, read

Importer = Callable[..., ImportResult]


def _hub(**states: str) -> bytes:
    document = json.loads(read(HUB))
    for event in document["schedule"]["events"]:
        if event["title"] in states:
            event["state"] = states[event["title"]]
    return json.dumps(document).encode()


def test_schedule_2_events_in_one_flat_list_are_imported(importer: Importer) -> None:
    conference = importer(read(HUB)).conference
    talks = {t.title: t for t in session.execute(select(Talk)).scalars()}
    assert sorted(talks) == [
        "38C3: Opening Ceremony",
        "A Competitive Time-Trial AI for Need for Speed:",
    ]
    opening = talks["38C3: Opening Ceremony"]
    assert (conference.slug, conference.timezone) == ("38c3", "Europe/Berlin")
    assert opening.start.isoformat() == "2024-12-27T09:30:00+00:00"
    assert (opening.end - opening.start).total_seconds() == 1800
    rooms = {r.name: r for r in session.execute(select(Room)).scalars()}
    assert (rooms["Saal 1"].capacity, rooms["Saal 1"].description) == (
        3025,
        "Lecture hall in CCH central, Level +2 to +4",
    )
    tracks = {t.name: t.colour for t in session.execute(select(Track)).scalars()}
    assert tracks == {"CCC": "#f2f006", "Hardware & Making": "#685b9d"}
    bios = {s.name: s.bio for s in session.execute(select(Speaker)).scalars()}
    assert bios["Gabriela Bogk"].startswith("Gabriela, the hacker formerly known as Andreas")


def test_schedule_2_states_off_the_programme_are_left_out_and_cancel(importer: Importer) -> None:
    importer(read(HUB))
    diff = importer(_hub(**{"38C3: Opening Ceremony": "CANCELED"}), slug="38c3").diff
    assert [s.title for s in diff.cancelled_sessions] == ["38C3: Opening Ceremony"]
    status = session.execute(
        select(Talk.status).where(Talk.title == "38C3: Opening Ceremony")
    ).scalar_one()
    assert status == TalkStatus.CANCELLED.value


_EMPTY = (
    b'{"schedule": {"version": "1", "conference": {"acronym": "xmas", "title": "X", "days": []}}}'
)


@pytest.mark.parametrize("into", [None, "qcon-london-2020"])
def test_a_file_with_no_session_is_refused_never_emptying_a_programme(
    ctx: None, into: str | None
) -> None:
    from companion.demo.data import demo_data
    from companion.exchange.importer import plan_import, read_schedule
    from companion.programme.operations import create_conference_from_data
    from companion.programme.queries import conference_by_slug

    create_conference_from_data(demo_data())
    session.commit()
    conference = conference_by_slug(into) if into else None
    everything_off = _hub(
        **{
            "38C3: Opening Ceremony": "WITHDRAWN",
            "A Competitive Time-Trial AI for Need for Speed:": "CANCELED",
        }
    )
    for data in (_EMPTY, everything_off):
        with pytest.raises(InvalidSchedule) as refused:
            plan_import(read_schedule(data), conference=conference)
        assert refused.value.problem.startswith("no session can be read from this file")
    assert (
        "(its events are all off the programme: 1 withdrawn, 1 canceled)" in refused.value.problem
    )


def test_the_cli_refuses_an_empty_file_and_writes_nothing(
    runner: Any, dbs: Session, tmp_path: Path
) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(_EMPTY)
    result = runner.invoke(args=["import-schedule", str(path)])
    assert result.exit_code == 1
    assert "no session can be read from this file" in result.output
    assert dbs.execute(select(func.count()).select_from(Conference)).scalar_one() == 0


#: frab XML with local times only: no <date> with an offset, no time_zone_name.
_NAIVE = b"""<schedule><version>1</version><conference><acronym>naive</acronym>
<title>Naive</title><start>2024-06-01</start><end>2024-06-01</end><day_change>06:00</day_change>
</conference><day index="1" date="2024-06-01"><room name="Main">
<event id="1" guid="aaaaaaaa-0000-4000-8000-000000000001"><start>10:00</start>
<duration>00:30</duration><title>Welcome</title><type>talk</type></event>
</room></day></schedule>"""


def test_a_file_with_no_zone_and_no_offsets_asks_for_one(
    runner: Any, dbs: Session, tmp_path: Path
) -> None:
    path = tmp_path / "naive.xml"
    path.write_bytes(_NAIVE)
    refused = runner.invoke(args=["import-schedule", str(path)])
    assert refused.exit_code == 1
    assert "the file names no time zone and its times have no UTC offset" in refused.output
    assert "--timezone" in refused.output
    assert "UTC from its offsets" not in refused.output
    done = runner.invoke(args=["import-schedule", str(path), "--timezone", "Europe/London"])
    assert done.exit_code == 0, done.output
    dbs.expire_all()
    start = dbs.execute(select(Talk.start)).scalar_one()
    assert start.isoformat() == "2024-06-01T09:00:00+00:00"  # 10:00 BST
    assert dbs.execute(select(Conference.day_change_hour)).scalar_one() == 6


def test_a_round_trip_keeps_room_track_venue_and_idle_speakers(
    importer: Importer, client: Any, make_conference: Any, make_talk: Any, dbs: Session
) -> None:
    conference = make_conference(slug="roundtrip", venue="QEII Centre", address="Westminster")
    make_talk(conference, "Opening", room="Fleming", track="Night Owls", speakers=("Ada",))
    room = dbs.execute(select(Room)).scalar_one()
    room.capacity, room.description = 120, "Level 3, by the lifts"
    dbs.execute(select(Track)).scalar_one().colour = "#7c3aed"
    dbs.add(Speaker(conference_id=conference.id, slug="grace", name="Grace", bio="Idle, *for now*"))
    dbs.commit()
    bodies = {fmt: client.get(f"/roundtrip/schedule.{fmt}").get_data() for fmt in ("json", "xml")}
    for fmt, body in bodies.items():
        session.execute(delete(Conference))
        session.commit()
        session.expunge_all()
        copy = importer(body, slug="roundtrip").conference
        rooms = session.execute(select(Room)).scalars()
        speakers = session.execute(select(Speaker)).scalars()
        assert [t.colour for t in session.execute(select(Track)).scalars()] == ["#7c3aed"]
        if fmt == "json":  # frab XML has no field for these
            assert [(r.capacity, r.description) for r in rooms] == [(120, "Level 3, by the lifts")]
            assert (copy.venue, copy.address) == ("QEII Centre", "Westminster")
            assert sorted((s.name, s.bio) for s in speakers) == [
                ("Ada", ""),
                ("Grace", "Idle, *for now*"),
            ]
    assert schedule_json.FORMAT == "schedule.json"
