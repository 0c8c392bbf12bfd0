"""Reading schedule.json (real files and broken ones) into the neutral schedule."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from companion.exchange import frab_xml, schedule_json
from companion.exchange.model import InvalidSchedule
from tests.exchange.conftest import CCC_JSON, CCC_XML, RC3, read


def test_36c3_json_matches_the_xml_event_for_event() -> None:
    from_json = schedule_json.parse(read(CCC_JSON))
    from_xml = frab_xml.parse(read(CCC_XML))
    assert len(from_json.events) == len(from_xml.events) == 1351

    def key(e):
        return (e.guid, e.start.astimezone(UTC), e.duration, e.title)

    assert sorted(map(key, from_json.events)) == sorted(map(key, from_xml.events))
    people = {p.name for e in from_json.events for p in e.persons}
    assert len(people) > 800
    with_bio = [p for e in from_json.events for p in e.persons if p.biography]
    assert with_bio  # the pretalx person shape carries biographies


def test_rc3_reads_pretalx_codes_and_no_zone() -> None:
    schedule = schedule_json.parse(read(RC3))
    assert (schedule.acronym, schedule.timezone, len(schedule.events)) == (
        "rc3-channels-2020",
        None,
        48,
    )
    first = schedule.events[0]
    assert first.guid == "c3642671-4c1f-5109-81ba-0535c1cc8428"
    assert first.type == "Talk 30 min + 10min Q&A"
    assert first.persons[0].ref == "20"
    assert "\r" not in first.abstract and "\n" in first.abstract
    assert first.duration == timedelta(minutes=40)
    assert first.start.astimezone(UTC) == datetime(2020, 12, 27, 10, 30, tzinfo=UTC)


def _minimal(**event: object) -> bytes:
    base = {
        "guid": "6a32cb72-a69d-423c-91b5-60d88eb8e6c7",
        "title": "T",
        "date": "2024-05-01T10:00:00+02:00",
        "duration": "00:30",
        "persons": [],
    }
    base.update(event)
    document = {
        "schedule": {
            "conference": {
                "title": "Conf",
                "days": [{"date": "2024-05-01", "rooms": {"Saal 1": [base]}}],
            }
        }
    }
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("data", "where", "problem"),
    [
        (b'{"schedule": ', "line 1, column 14", "the JSON is malformed"),
        (b"[1, 2]", "$", "expected an object, found a list."),
        (b'{"schedule": {"conference": {"title": "x"}}}', "schedule.conference.days", "expected"),
        (
            _minimal(title=None),
            'schedule.conference.days[0].rooms["Saal 1"][0].title',
            "the event has no title.",
        ),
        (
            _minimal(duration="soon"),
            'schedule.conference.days[0].rooms["Saal 1"][0].duration',
            "duration “soon” is not",
        ),
        (
            _minimal(persons=[["Ada"]]),
            'schedule.conference.days[0].rooms["Saal 1"][0].persons[0]',
            "expected an object, found a list.",
        ),
        (
            _minimal(date="yesterday"),
            'schedule.conference.days[0].rooms["Saal 1"][0].date',
            "“yesterday” is not an ISO 8601",
        ),
    ],
)
def test_broken_json_is_refused_with_its_path(data: bytes, where: str, problem: str) -> None:
    with pytest.raises(InvalidSchedule) as refused:
        schedule_json.parse(data)
    assert refused.value.where == where
    assert refused.value.problem.startswith(problem)


def test_persons_as_bare_names_and_end_instead_of_duration() -> None:
    data = _minimal(
        duration=None, end="2024-05-01T11:15:00+02:00", persons=["Ada", {"name": "Grace"}]
    )
    event = schedule_json.parse(data).events[0]
    assert event.duration == timedelta(minutes=75)
    assert [p.name for p in event.persons] == ["Ada", "Grace"]
