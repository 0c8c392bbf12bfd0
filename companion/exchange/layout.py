"""What both exports share: the programme laid out as frab does it (days → rooms → events) and
each event's fields, so the XML and the JSON say exactly the same thing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from companion.exchange.model import GUID_NAMESPACE
from companion.programme.models import Conference, Speaker, Talk
from companion.programme.queries import Programme

#: Event children in the order frab writes them (persons, links and attachments follow).
XML_EVENT_TAGS = (
    "date",
    "start",
    "duration",
    "room",
    "slug",
    "url",
    "title",
    "subtitle",
    "track",
    "type",
    "language",
    "abstract",
    "description",
    "logo",
)
#: c3voc's pattern for time_zone_name; zones it refuses (Etc/GMT-1) are left out of the JSON.
_ZONE_PATTERN = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_VOC_SLUG = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")


@dataclass(frozen=True, slots=True)
class Day:
    """One programme day with its scheduled sessions by room."""

    index: int
    date: date
    start: datetime
    end: datetime
    rooms: list[tuple[str, list[Talk]]]


def days(programme: Programme) -> list[Day]:
    """Every programme day (and any day a session falls on outside them), rooms in their order,
    sessions by start; cancelled sessions are left out."""
    conference = programme.conference
    order = {room.id: position for position, room in enumerate(programme.rooms)}
    by_day: dict[date, dict[int | None, list[Talk]]] = {day: {} for day in conference.days}
    names: dict[int | None, str] = {room.id: room.name for room in programme.rooms}
    names[None] = ""
    for talk in programme.talks:
        if talk.cancelled:
            continue
        by_day.setdefault(conference.day_of(talk.start), {}).setdefault(talk.room_id, []).append(
            talk
        )
    result = []
    for index, day in enumerate(sorted(by_day), start=1):
        start, end = conference.day_bounds(day)
        rooms = sorted(
            by_day[day].items(),
            key=lambda item: len(order) if item[0] is None else order.get(item[0], len(order)),
        )
        result.append(
            Day(
                index=index,
                date=day,
                start=conference.local(start),
                end=conference.local(end - timedelta(seconds=1)),
                rooms=[(names[room_id], talks) for room_id, talks in rooms],
            )
        )
    return result


def acronym(conference: Conference) -> str:
    """The slug as c3voc's acronym patterns want it: no hyphens (JSON), at least four characters
    (XSD and JSON), so `rc3-2021` → `rc3_2021` and `gpn` → `gpn_`. Reading it back, our slugs
    drop the underscores again."""
    return conference.slug.replace("-", "_").ljust(4, "_")


def voc_slug(slug: str) -> str | None:
    """A room's or track's slug when both c3voc schemas accept it (a letter first, two characters
    or more, no trailing hyphen), else None: the field is optional there."""
    return slug if _VOC_SLUG.match(slug) else None


def time_zone_name(conference: Conference) -> str | None:
    """The conference's zone when c3voc's schema accepts its name."""
    return conference.timezone if _ZONE_PATTERN.match(conference.timezone) else None


def conference_fields(conference: Conference, *, base_url: str) -> list[tuple[str, str]]:
    """The <conference> children (and the JSON conference's scalar keys)."""
    fields = [
        ("acronym", acronym(conference)),
        ("title", conference.name),
        ("start", conference.start_date.isoformat()),
        ("end", conference.end_date.isoformat()),
        ("days", str(len(conference.days))),
        ("timeslot_duration", "00:05"),
        ("base_url", base_url),
    ]
    zone = time_zone_name(conference)
    if zone:
        fields.append(("time_zone_name", zone))
    return fields


def venue(conference: Conference) -> dict[str, str]:
    """The venue as schedule.json's `conference.meta.venue` carries it (empty when unknown)."""
    return {
        key: value
        for key, value in (("name", conference.venue), ("address", conference.address))
        if value
    }


def hh_mm(duration: timedelta) -> str:
    """A duration as frab writes it: hours (may pass 24) and minutes."""
    minutes = int(duration.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def event_slug(conference: Conference, talk: Talk) -> str:
    """frab's event slug, "<conf>-<id>-<title>", as c3voc's XSD wants it: the first part four or
    more characters without hyphens (the acronym when the slug's first part is shorter), the
    rest four or more."""
    words = _NOT_SLUG.sub("-", talk.title.lower()).strip("-")[:60].strip("-")
    if len(words) < 2:
        words = "-".join(part for part in (words, "session") if part)
    first = conference.slug.split("-", 1)[0]
    prefix = conference.slug if len(first) >= 4 else acronym(conference)
    return f"{prefix}-{talk.id}-{words}"


def person_guid(conference: Conference, speaker: Speaker) -> str:
    """A stable UUID for a speaker (c3voc persons carry one)."""
    return _person_guid(conference.slug, speaker.slug)


@lru_cache(maxsize=8192)
def _person_guid(conference_slug: str, speaker_slug: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"speaker:{conference_slug}:{speaker_slug}"))


def room_guid(conference: Conference, slug: str) -> str:
    """A stable UUID for a room (c3voc rooms need one)."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"room:{conference.slug}:{slug}"))


def event_fields(
    conference: Conference, talk: Talk, *, url_of: Callable[[Talk], str]
) -> dict[str, Any]:
    """One session's fields, as both formats write them (times local to the conference)."""
    return {
        "id": talk.id,
        "guid": talk.guid,
        "date": conference.local(talk.start).isoformat(),
        "start": f"{conference.local(talk.start):%H:%M}",
        "end": conference.local(talk.end).isoformat(),
        "duration": hh_mm(talk.end - talk.start),
        "room": talk.room.name if talk.room else "",
        "slug": event_slug(conference, talk),
        "url": url_of(talk),
        "title": talk.title,
        "subtitle": "",
        "track": talk.track.name if talk.track else "",
        "type": talk.kind,
        "language": "",
        "abstract": talk.abstract,
        "description": "",
        "logo": "",
        "persons": [
            {
                "id": speaker.id,
                "guid": person_guid(conference, speaker),
                "name": speaker.name,
                "biography": speaker.bio,
            }
            for speaker in talk.speakers
        ],
    }
