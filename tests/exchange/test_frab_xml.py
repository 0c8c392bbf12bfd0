"""Reading frab XML (real files and broken ones) into the neutral schedule."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest

from companion.exchange import frab_xml
from companion.exchange.model import InvalidSchedule
from tests.exchange.conftest import CCC_XML, DEBCONF, read


def test_36c3_reads_every_event_with_its_traps() -> None:
    schedule = frab_xml.parse(read(CCC_XML))
    assert (schedule.acronym, schedule.title, schedule.timezone) == (
        "36c3",
        "36th Chaos Communication Congress",
        None,
    )
    assert len(schedule.events) == 1351
    assert Counter(e.guid for e in schedule.events).most_common(1)[0][1] == 2  # repeated guids
    opening = schedule.events[0]
    assert (opening.title, opening.room, opening.duration) == (
        "Opening Ceremony",
        "Ada",
        timedelta(minutes=30),
    )
    assert opening.start == datetime(2019, 12, 27, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    assert [p.name for p in opening.persons] == ["bleeptrack", "blinry"]
    assert opening.persons[0].ref == "9891"
    durations = Counter(e.duration for e in schedule.events)
    assert durations[timedelta(0)] == 1 and durations[timedelta(hours=12, minutes=59)] == 2
    # The container names the room, not the event's own (disagreeing) <room>.
    assert "1Komona headnut" in schedule.rooms and "headnut" not in schedule.rooms
    after_midnight = [e for e in schedule.events if e.start.hour < 4]
    assert after_midnight and all(e.start.tzinfo is not None for e in after_midnight)
    assert any("<p>" in e.abstract or "<p>" in e.description for e in schedule.events)
    assert any("∞" in e.title for e in schedule.events)


def test_debconf_trusts_the_full_date_not_the_day_and_local_start() -> None:
    schedule = frab_xml.parse(read(DEBCONF))
    assert schedule.timezone == "Asia/Kolkata"
    opening = next(e for e in schedule.events if e.title == "Opening Ceremony")
    # <day date="2023-09-09">, <date>05:00 UTC</date>, <start>10:30</start> (India)
    assert opening.start.astimezone(UTC) == datetime(2023, 9, 10, 5, 0, tzinfo=UTC)
    assert schedule.first_day_end == datetime(2023, 9, 10, 21, 29, 59, tzinfo=UTC)
    assert len(schedule.events) == 117
    meals = [e for e in schedule.events if not e.persons and not e.type]
    assert meals


def test_start_without_a_full_date_rolls_past_midnight() -> None:
    data = b"""<schedule><conference><title>T</title></conference>
<day date="2024-05-01" start="2024-05-01T10:00:00+02:00" end="2024-05-02T04:00:00+02:00">
<room name="A"><event guid="1a0e5a2c-0000-4000-8000-000000000001">
<start>01:30</start><duration>0:45:00</duration><title>Late</title></event></room></day>
</schedule>"""
    event = frab_xml.parse(data).events[0]
    assert event.start == datetime(2024, 5, 2, 1, 30)
    assert event.duration == timedelta(minutes=45)


@pytest.mark.parametrize(
    ("data", "where", "problem"),
    [
        (b"<html><body/></html>", "line 1", "this is not a frab schedule: the root is <html>."),
        (b"<schedule>\n<conference>\n<title>x</title>\n", "line 4", "the XML is malformed"),
        (
            b"<schedule><conference><title>T</title></conference>\n<day date='2024-05-01'>"
            b"<room name='A'>\n\n<event guid='x'><start>10:00</start><duration>1:00</duration>"
            b"</event></room></day></schedule>",
            "line 4",
            "the event has no <title>.",
        ),
        (
            b"<schedule><conference><title>T</title></conference>\n<day date='2024-05-01'>"
            b"<room name='A'><event guid='x'><start>10:00</start>\n<duration>an hour</duration>"
            b"<title>X</title></event></room></day></schedule>",
            "line 3",
            "duration “an hour” is not HH:MM or H:MM:SS.",
        ),
        (
            b"<schedule><conference><title>T</title></conference><day date='2024-05-01'>"
            b"<room name='A'><event><start>10:00</start><duration>1:00</duration>"
            b"<title>X</title></event></room></day></schedule>",
            "line 1",
            "the event has neither a guid nor an id.",
        ),
    ],
)
def test_broken_files_are_refused_with_their_line(data: bytes, where: str, problem: str) -> None:
    with pytest.raises(InvalidSchedule) as refused:
        frab_xml.parse(data)
    assert refused.value.where == where
    assert refused.value.problem.startswith(problem)


def test_entity_expansion_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<schedule><conference><title>&lol2;</title></conference></schedule>"""
    with pytest.raises(InvalidSchedule, match="entities or external references"):
        frab_xml.parse(bomb)


def test_external_entities_are_refused() -> None:
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<schedule><conference><title>&x;</title></conference></schedule>"""
    with pytest.raises(InvalidSchedule, match="entities or external references"):
        frab_xml.parse(xxe)
