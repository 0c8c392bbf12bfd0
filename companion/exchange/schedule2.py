"""schedule.json's declarations (rooms with capacity and description, tracks with colours, the
venue, every person) and c3voc's schedule 2 ("hub") layout: events in one flat list under
`schedule.events`, each with its own start and end, a room and a track by reference, and a
state. Events in a state that is not on the programme (cancelled, withdrawn, a draft…) are left
out, and counted, so a session the file cancels is cancelled here as one gone from the file."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from companion.exchange import references
from companion.exchange.jsontext import list_at, object_at, text_at
from companion.exchange.model import (
    InvalidSchedule,
    ParsedEvent,
    ParsedPerson,
    ParsedSchedule,
    clean,
    event_guid,
    parse_colour,
    parse_instant,
)

#: States of schedule 2 whose events are not on the programme.
OFF_PROGRAMME = frozenset(
    {"CANCELED", "CANCELLED", "WITHDRAWN", "DELETED", "REJECTED", "DRAFT", "SUBMITTED"}
)
_ISO_DURATION = re.compile(r"P(?:(\d{1,3})D)?(?:T(?:(\d{1,3})H)?(?:(\d{1,4})M)?(?:(\d{1,5})S)?)?")


def localised(value: Any, language: str = "en") -> str:
    """A LocalizableString: text, or {"en": …, "de": …} (the conference's language first)."""
    if isinstance(value, dict):
        for key in (language, "en", *value.keys()):
            if isinstance(value.get(key), str):
                return clean(value[key])
        return ""
    return clean(value) if isinstance(value, str | int | float) else ""


def read_declarations(
    schedule: dict[str, Any], conference: dict[str, Any], result: ParsedSchedule
) -> None:
    """Rooms' capacity and description, tracks' colours, the venue and the people list."""
    where = "schedule.conference"
    language = _language(conference)
    for index, room in enumerate(list_at(conference.get("rooms"), f"{where}.rooms")):
        room_where = f"{where}.rooms[{index}]"
        room = object_at(room, room_where)
        name = text_at(room, "name", room_where)
        if not name:
            continue
        if name not in result.rooms:
            result.rooms.append(name)
        capacity = room.get("capacity")
        if isinstance(capacity, float) and capacity.is_integer():
            capacity = int(capacity)
        if not isinstance(capacity, int) or isinstance(capacity, bool) or not 0 < capacity < 10**6:
            capacity = None
        result.room_details[name] = (capacity, localised(room.get("description"), language))
    for index, track in enumerate(list_at(conference.get("tracks"), f"{where}.tracks")):
        track = object_at(track, f"{where}.tracks[{index}]")
        name = text_at(track, "name", f"{where}.tracks[{index}]")
        colours = track.get("colors")
        light = colours.get("light") if isinstance(colours, dict) else None
        colour = parse_colour(track.get("color")) or parse_colour(light)
        if name and colour:
            result.track_colours[name] = colour
    meta = conference.get("meta")
    venue = meta.get("venue") if isinstance(meta, dict) else None
    venue = venue if isinstance(venue, dict) else {}
    result.venue = clean(venue.get("name") if isinstance(venue.get("name"), str) else "")
    result.address = clean(venue.get("address") if isinstance(venue.get("address"), str) else "")
    for index, person in enumerate(list_at(schedule.get("persons"), "schedule.persons")):
        person_where = f"schedule.persons[{index}]"
        person = object_at(person, person_where)
        name = text_at(person, "public_name", person_where) or text_at(person, "name", person_where)
        if name:
            result.persons.append(
                ParsedPerson(
                    name=name,
                    ref=text_at(person, "guid", person_where),
                    biography=localised(person.get("biography"), language),
                    links=references.json_references(
                        person.get("links"), f"{person_where}.links", person=True
                    ),
                    photo=references.photo_url(person),
                )
            )


def read_events(
    schedule: dict[str, Any], conference: dict[str, Any], result: ParsedSchedule, base_url: str
) -> None:
    """schedule 2's flat `schedule.events` list into `result.events`."""
    language = _language(conference)
    track_names = {
        clean(track.get("slug")): clean(track.get("name"))
        for track in list_at(conference.get("tracks"), "schedule.conference.tracks")
        if isinstance(track, dict) and isinstance(track.get("slug"), str)
    }
    for index, event in enumerate(list_at(schedule.get("events"), "schedule.events")):
        where = f"schedule.events[{index}]"
        event = object_at(event, where)
        state = text_at(event, "state", where).upper()
        if state in OFF_PROGRAMME:
            result.skipped[state] = result.skipped.get(state, 0) + 1
            continue
        result.events.append(_read_event(event, where, language, track_names, base_url))


def _read_event(
    event: dict[str, Any], where: str, language: str, tracks: dict[str, str], base_url: str
) -> ParsedEvent:
    title = text_at(event, "title", where)
    if not title:
        raise InvalidSchedule(f"{where}.title", "the event has no title.")
    start_text = text_at(event, "start", where)
    if not start_text:
        raise InvalidSchedule(f"{where}.start", "the event has no start.")
    start = parse_instant(start_text, f"{where}.start")
    if not isinstance(start, datetime):
        raise InvalidSchedule(f"{where}.start", "the start must be a date-time.")
    end_text = text_at(event, "end", where)
    if end_text:
        end = parse_instant(end_text, f"{where}.end")
        if not isinstance(end, datetime) or (end.tzinfo is None) != (start.tzinfo is None):
            raise InvalidSchedule(f"{where}.end", "end must be a date-time like the start.")
        duration = end - start
    else:
        duration = _iso_duration(text_at(event, "duration", where), f"{where}.duration")
    ident = text_at(event, "code", where) or text_at(event, "id", where) or f"{title}@{start_text}"
    room = event.get("room")
    track = event.get("track")
    persons = []
    for number, person in enumerate(list_at(event.get("participants"), f"{where}.participants")):
        person = object_at(person, f"{where}.participants[{number}]")
        name = text_at(person, "name", f"{where}.participants[{number}]")
        if name:
            persons.append(
                ParsedPerson(
                    name=name,
                    ref=text_at(person, "guid", where),
                    photo=references.photo_url(person),
                )
            )
    return ParsedEvent(
        where=where,
        guid=event_guid(text_at(event, "guid", where), ident, base_url, f"{where}.guid"),
        title=title,
        start=start,
        duration=duration,
        room=_name(room, where, "room"),
        track=tracks.get(clean(track.get("slug")), "")
        if isinstance(track, dict)
        else _name(track, where, "track"),
        type=text_at(event, "type", where).replace("_", " ").lower(),
        subtitle=localised(event.get("subtitle"), language),
        abstract=localised(event.get("abstract"), language),
        description=localised(event.get("description"), language),
        language=text_at(event, "language", where),
        persons=persons,
        url=text_at(event, "url", where),
        links=references.json_references(event.get("links"), f"{where}.links")
        + references.json_references(event.get("attachments"), f"{where}.attachments"),
    )


def _name(value: Any, where: str, key: str) -> str:
    if isinstance(value, dict):
        return text_at(value, "name", f"{where}.{key}")
    if value is None or isinstance(value, str):
        return clean(value)
    raise InvalidSchedule(f"{where}.{key}", f"expected a name, found {json.dumps(value)[:40]}.")


def _iso_duration(text: str, where: str) -> timedelta:
    """PT1H30M (schedule 2's deprecated `duration`)."""
    match = _ISO_DURATION.fullmatch(text)
    if not text or match is None or not any(match.groups()):
        raise InvalidSchedule(where, "the event has no end (nor an ISO 8601 duration like PT30M).")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _language(conference: dict[str, Any]) -> str:
    defaults = conference.get("defaults")
    if isinstance(defaults, dict) and isinstance(defaults.get("language"), str):
        return defaults["language"]
    return "en"
