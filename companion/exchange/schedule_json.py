"""schedule.json (frab, pretalx, c3voc): pure functions, bytes → neutral schedule and programme →
bytes. We write what c3voc's JSON schema accepts and read leniently what real files contain
(extra keys, nulls, numbers where strings belong, both person shapes, links as strings)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from companion.exchange import layout, references, schedule2
from companion.exchange.jsontext import list_at, object_at, text_at
from companion.exchange.model import (
    MAX_DAYS,
    InvalidSchedule,
    ParsedEvent,
    ParsedPerson,
    ParsedSchedule,
    clean,
    event_guid,
    parse_clock,
    parse_date,
    parse_day_change,
    parse_duration,
    parse_instant,
)
from companion.parsing import load_json
from companion.programme.models import Talk
from companion.programme.queries import Programme

CONTENT_TYPE = "application/json"
FORMAT = "schedule.json"
#: Where the schema we validate our output against lives (its copy is in tests/data/schemas).
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"


# --- Reading ------------------------------------------------------------------------------------


def parse(data: bytes) -> ParsedSchedule:
    """A schedule.json file as a neutral schedule; refusals name the JSON path."""
    try:
        document = load_json(data)
    except UnicodeDecodeError:
        raise InvalidSchedule("$", "the file is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise InvalidSchedule(
            f"line {error.lineno}, column {error.colno}", f"the JSON is malformed ({error.msg})."
        ) from None
    except ValueError as error:  # nested too deeply, a lone surrogate, a number too long
        text = str(error)
        if "nested" in text:
            reason = "the JSON is nested too deeply."
        elif "surrogate" in text:
            reason = "the JSON holds a character no text can hold (a lone surrogate)."
        else:
            reason = "the JSON holds a number too long to be read."
        raise InvalidSchedule("$", reason) from None
    schedule = object_at(object_at(document, "$").get("schedule"), "schedule")
    conference = object_at(schedule.get("conference"), "schedule.conference")
    where = "schedule.conference"
    result = ParsedSchedule(
        format=FORMAT,
        acronym=text_at(conference, "acronym", where),
        title=text_at(conference, "title", where),
        timezone=text_at(conference, "time_zone_name", where) or None,
    )
    if not (result.title or result.acronym):
        raise InvalidSchedule(where, "the conference has neither a title nor an acronym.")
    for key in ("start", "end"):
        value = text_at(conference, key, where)
        if value:
            setattr(result, f"{key}_date", parse_date(value, f"{where}.{key}"))
    count = conference.get("daysCount")
    if isinstance(count, int) and not isinstance(count, bool) and 0 < count <= MAX_DAYS:
        result.days_count = count
    slot = text_at(conference, "timeslot_duration", where)
    if slot:
        result.timeslot = parse_duration(slot, f"{where}.timeslot_duration")
    result.day_change = parse_day_change(text_at(conference, "day_change", where))
    schedule2.read_declarations(schedule, conference, result)
    base_url = clean(schedule.get("base_url")) if isinstance(schedule.get("base_url"), str) else ""
    flat = isinstance(schedule.get("events"), list)  # schedule 2 ("hub"): one list of events
    days = list_at(conference.get("days"), f"{where}.days", required=not flat)
    for index, day in enumerate(days):
        _read_day(
            object_at(day, f"{where}.days[{index}]"), f"{where}.days[{index}]", result, base_url
        )
    if flat:
        schedule2.read_events(schedule, conference, result, base_url)
    return result


def _read_day(day: dict[str, Any], where: str, result: ParsedSchedule, base_url: str) -> None:
    day_date = parse_date(text_at(day, "date", where), f"{where}.date") if day.get("date") else None
    opens: time | None = None
    start_text = text_at(day, "day_start", where)
    if start_text:
        day_start = parse_instant(start_text, f"{where}.day_start")
        opens = day_start.time() if isinstance(day_start, datetime) else None
    end_text = text_at(day, "day_end", where) or text_at(day, "end", where)
    if end_text and result.first_day_end is None:
        day_end = parse_instant(end_text, f"{where}.day_end")
        if isinstance(day_end, datetime):
            result.first_day_end = day_end
    rooms = object_at(day.get("rooms", {}), f"{where}.rooms")
    for room_name, events in rooms.items():
        room_where = f"{where}.rooms[{json.dumps(room_name, ensure_ascii=False)}]"
        container = clean(room_name)
        if container and container not in result.rooms:
            result.rooms.append(container)
        for index, event in enumerate(list_at(events, room_where)):
            event_where = f"{room_where}[{index}]"
            result.events.append(
                _read_event(
                    object_at(event, event_where), event_where, container, day_date, opens, base_url
                )
            )


def _read_event(
    event: dict[str, Any],
    where: str,
    container: str,
    day_date: date | None,
    opens: time | None,
    base_url: str,
) -> ParsedEvent:
    title = text_at(event, "title", where)
    if not title:
        raise InvalidSchedule(f"{where}.title", "the event has no title.")
    guid = event_guid(
        text_at(event, "guid", where), text_at(event, "id", where), base_url, f"{where}.guid"
    )
    start = _event_start(event, where, day_date, opens)
    duration_text = text_at(event, "duration", where)
    end_text = text_at(event, "end", where)
    if duration_text:
        duration = parse_duration(duration_text, f"{where}.duration")
    elif end_text:
        end = parse_instant(end_text, f"{where}.end")
        if not isinstance(end, datetime) or (end.tzinfo is None) != (start.tzinfo is None):
            raise InvalidSchedule(f"{where}.end", "end must be a date-time like the start.")
        duration = end - start
    else:
        raise InvalidSchedule(f"{where}.duration", "the event has no duration (nor an end).")
    persons = []
    for index, person in enumerate(list_at(event.get("persons"), f"{where}.persons")):
        person_where = f"{where}.persons[{index}]"
        if isinstance(person, str):  # some exporters list bare names
            person = {"name": person}
        person = object_at(person, person_where)
        name = text_at(person, "public_name", person_where) or text_at(person, "name", person_where)
        if name:
            ref = text_at(person, "id", person_where) or text_at(person, "code", person_where)
            bio = text_at(person, "biography", person_where)
            links = references.json_references(
                person.get("links"), f"{person_where}.links", person=True
            )
            persons.append(
                ParsedPerson(
                    name=name,
                    ref=ref,
                    biography=bio,
                    links=links,
                    photo=references.photo_url(person),
                )
            )
    return ParsedEvent(
        url=text_at(event, "url", where),
        links=references.json_references(event.get("links"), f"{where}.links")
        + references.json_references(event.get("attachments"), f"{where}.attachments"),
        where=where,
        guid=guid,
        title=title,
        start=start,
        duration=duration,
        room=container or text_at(event, "room", where),
        track=text_at(event, "track", where),
        type=text_at(event, "type", where),
        subtitle=text_at(event, "subtitle", where),
        abstract=text_at(event, "abstract", where),
        description=text_at(event, "description", where),
        language=text_at(event, "language", where),
        persons=persons,
    )


def _event_start(
    event: dict[str, Any], where: str, day_date: date | None, opens: time | None
) -> datetime:
    stamp_text = text_at(event, "date", where)
    if stamp_text:
        stamp = parse_instant(stamp_text, f"{where}.date")
        if isinstance(stamp, datetime):
            return stamp
        day_date = stamp
    clock_text = text_at(event, "start", where)
    if not clock_text:
        raise InvalidSchedule(f"{where}.start", "the event has no start (nor a date with a time).")
    clock = parse_clock(clock_text, f"{where}.start")
    if day_date is None:
        raise InvalidSchedule(f"{where}.date", "neither the event nor its day has a date.")
    local = datetime.combine(day_date, clock)
    return local + timedelta(days=1) if opens is not None and clock < opens else local


# --- Writing ------------------------------------------------------------------------------------


def document(
    programme: Programme, *, url_of: Callable[[Talk], str], base_url: str, generator: str
) -> dict[str, Any]:
    """The programme in the shape pretalx and the c3voc tools publish (valid against c3voc's
    schema; scheduled sessions only)."""
    conference = programme.conference
    head: dict[str, Any] = {}
    for key, value in layout.conference_fields(conference, base_url=base_url):
        if key == "days":
            head["daysCount"] = int(value)
        elif key == "base_url":
            head["url"] = value
        else:
            head[key] = value
    head["tracks"] = [
        _without_none(
            {"name": track.name, "slug": layout.voc_slug(track.slug), "color": track.colour}
        )
        for track in programme.tracks
    ]
    head["rooms"] = [
        _without_none(
            {
                "name": room.name,
                "slug": layout.voc_slug(room.slug),
                "guid": layout.room_guid(conference, room.slug),
                "capacity": room.capacity,
                "description": room.description,
            }
        )
        for room in programme.rooms
    ]
    venue = layout.venue(conference)
    if venue:
        head["meta"] = {"venue": venue}
    head["days"] = [
        {
            "index": day.index,
            "date": day.date.isoformat(),
            "day_start": day.start.isoformat(),
            "day_end": day.end.isoformat(),
            "rooms": {
                name: [_event(conference, talk, url_of) for talk in talks]
                for name, talks in day.rooms
            },
        }
        for day in layout.days(programme)
    ]
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": "conference-companion", "version": generator},
        "schedule": {
            "version": str(conference.revision),
            "base_url": base_url,
            "conference": head,
            # schedule 2's list of people: speakers without a session (yet) are in it too.
            "persons": [
                {
                    "guid": layout.person_guid(conference, speaker),
                    "name": speaker.name,
                    "biography": speaker.bio,
                    "links": [
                        references.json_reference(link, person=True) for link in speaker.links
                    ],
                }
                for speaker in programme.speakers
            ],
        },
    }


def _event(conference: Any, talk: Talk, url_of: Callable[[Talk], str]) -> dict[str, Any]:
    fields = layout.event_fields(conference, talk, url_of=url_of)
    return {
        "guid": fields["guid"],
        "id": fields["id"],
        "date": fields["date"],
        "start": fields["start"],
        "end": fields["end"],
        "duration": fields["duration"],
        "room": fields["room"],
        "slug": fields["slug"],
        "url": fields["url"],
        "title": fields["title"],
        "subtitle": "",
        "track": fields["track"] or None,
        "type": fields["type"],
        "language": None,
        "abstract": fields["abstract"],
        "description": "",
        "logo": None,
        "persons": [
            # "public_name" for older clients; without "id" this is one of c3voc's two person
            # shapes (pretalx's), not both, as its oneOf requires.
            {
                "guid": person["guid"],
                "name": person["name"],
                "public_name": person["name"],
                "biography": person["biography"],
            }
            for person in fields["persons"]
        ],
        "links": [
            {"title": "Session page", "url": fields["url"]},
            *(references.json_reference(link) for link in talk.links),
        ],
        "attachments": [],
    }


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def export(
    programme: Programme, *, url_of: Callable[[Talk], str], base_url: str, generator: str
) -> bytes:
    """`document` as UTF-8 JSON."""
    return json.dumps(
        document(programme, url_of=url_of, base_url=base_url, generator=generator),
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
