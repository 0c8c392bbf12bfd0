"""/<conf>/schedule.xml and /<conf>/schedule.json: golden files, the c3voc schema, frab clients'
view of the XML, caching, and a query count that does not grow with the programme."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft6Validator
from sqlalchemy import select
from sqlalchemy.orm import object_session

from companion.caching import reset_caches
from companion.demo.data import demo_data
from companion.programme.links import Link
from companion.programme.models import Conference, Speaker, Talk, TalkStatus
from companion.programme.operations import create_conference_from_data
from tests.conftest import LONDON_DAY
from tests.exchange.conftest import SCHEMA

GOLDEN = Path(__file__).parent / "golden"


def _small(make_conference: Callable[..., Conference], make_talk: Callable[..., Talk]) -> None:
    conference = make_conference(slug="golden-conf", name="Golden Conf · Ünïcode")
    make_talk(
        conference,
        "Opening keynote",
        start="09:00",
        end="09:45",
        room="Fleming",
        speakers=("Ada Lovelace", "Grace Hopper"),
        kind="keynote",
        guid="11111111-1111-4111-8111-111111111111",
        abstract="Welcome & *hello* <world>",
        links=[
            Link(conference_id=conference.id, kind=kind, url=url, title=title, position=n)
            for n, (kind, url, title) in enumerate(
                [
                    ("slides", "https://slides.example/keynote.pdf", ""),
                    ("recording", "https://media.example/v/keynote", "Video & captions"),
                    ("stream", "https://live.example/fleming", ""),
                    ("other", "https://blog.example/keynote", "The making of"),
                ]
            )
        ],
    )
    dbs = object_session(conference)
    assert dbs is not None
    ada = dbs.execute(select(Speaker).where(Speaker.name == "Ada Lovelace")).scalar_one()
    dbs.add_all(
        [
            Link(conference_id=conference.id, speaker_id=ada.id, kind=kind, url=url, position=n)
            for n, (kind, url) in enumerate(
                [("github", "https://github.com/ada"), ("mastodon", "https://m.example/@ada")]
            )
        ]
    )
    dbs.commit()
    make_talk(
        conference,
        "Late night 한국어",
        start="01:00",
        end="01:30",
        day=LONDON_DAY + timedelta(days=1),
        room="Churchill",
        track="Night Owls",
        speakers=("Grace Hopper",),
        guid="22222222-2222-4222-8222-222222222222",
    )
    make_talk(
        conference,
        "Gone",
        start="11:00",
        end="11:30",
        guid="33333333-3333-4333-8333-333333333333",
        status=TalkStatus.CANCELLED.value,
    )


def _golden(name: str, body: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(body)
    assert body.decode() == path.read_text(encoding="utf-8")


def test_schedule_xml_matches_the_golden_file(
    client: FlaskClient, make_conference: Any, make_talk: Any
) -> None:
    _small(make_conference, make_talk)
    response = client.get("/golden-conf/schedule.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    _golden("schedule.xml", response.get_data())


def test_schedule_json_matches_the_golden_file(
    client: FlaskClient, make_conference: Any, make_talk: Any
) -> None:
    _small(make_conference, make_talk)
    response = client.get("/golden-conf/schedule.json")
    assert response.mimetype == "application/json"
    _golden("schedule.json", json.dumps(response.get_json(), indent=1, ensure_ascii=False).encode())


def _validator() -> Draft6Validator:
    schema = json.loads(SCHEMA.read_text())
    return Draft6Validator(schema, format_checker=Draft6Validator.FORMAT_CHECKER)


def test_schedule_json_is_valid_against_the_c3voc_schema(
    app: Any, client: FlaskClient, make_conference: Any, make_talk: Any
) -> None:
    _small(make_conference, make_talk)
    with app.app_context():
        from companion.db import session

        create_conference_from_data(demo_data())
        session.commit()
    for slug in ("golden-conf", "qcon-london-2020"):
        document = client.get(f"/{slug}/schedule.json").get_json()
        errors = [
            f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(document)
        ]
        assert errors == []


def test_the_schema_check_can_fail() -> None:
    broken = {"schedule": {"version": "1", "conference": {"acronym": "Not Valid!"}}}
    assert list(_validator().iter_errors(broken))


def test_schedule_xml_reads_as_frab_with_the_same_counts_and_times(
    app: Any, client: FlaskClient
) -> None:
    with app.app_context():
        from companion.db import session
        from companion.programme.queries import get_conference_or_404, whole_programme

        create_conference_from_data(demo_data())
        session.commit()
        conference = get_conference_or_404("qcon-london-2020")
        talks = [t for t in whole_programme(conference).talks if not t.cancelled]
        expected = sorted(
            (t.guid, conference.local(t.start).isoformat(), t.room.name if t.room else "")
            for t in talks
        )
    root = ElementTree.fromstring(client.get("/qcon-london-2020/schedule.xml").get_data())
    assert root.tag == "schedule"
    assert root.findtext("conference/acronym") == "qcon_london_2020"
    assert root.findtext("conference/time_zone_name") == "Europe/London"
    assert [d.get("date") for d in root.iter("day")] == ["2020-03-02", "2020-03-03", "2020-03-04"]
    events = [
        (e.get("guid"), e.findtext("date"), room.get("name"))
        for room in root.iter("room")
        for e in room.iter("event")
    ]
    assert sorted(events) == expected
    assert len(events) == 149
    for event in root.iter("event"):
        hours, minutes = event.findtext("duration", "").split(":")
        assert len(minutes) == 2 and int(hours) * 60 + int(minutes) > 0
        assert event.findtext("start") == event.findtext("date", "")[11:16]


@pytest.mark.parametrize("path", ["schedule.xml", "schedule.json"])
def test_exports_answer_304_and_change_with_the_programme(
    client: FlaskClient, make_conference: Any, make_talk: Any, path: str
) -> None:
    conference = make_conference()
    make_talk(conference, "First")
    first = client.get(f"/testconf/{path}")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and first.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(f"/testconf/{path}", headers={"If-None-Match": etag}).status_code == 304
    make_talk(conference, "Second", start="11:00", end="11:30")
    second = client.get(f"/testconf/{path}", headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["ETag"] != etag
    assert b"Second" in second.get_data()
    assert client.get(f"/nope/{path}").status_code == 404


@pytest.mark.parametrize("path", ["schedule.xml", "schedule.json"])
def test_export_queries_do_not_grow_with_the_programme(
    app: Any,
    client: FlaskClient,
    make_conference: Any,
    make_busy_day: Any,
    queries: Any,
    path: str,
) -> None:
    counts = []
    for slug, size in (("small", 2), ("big", 12)):
        conference = make_conference(slug=slug)
        make_busy_day(conference, size)
        reset_caches(app)
        with queries() as statements:
            assert client.get(f"/{slug}/{path}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
