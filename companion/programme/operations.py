"""Writes to the programme. Operations change objects and flush; the caller commits once."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from companion.config import RESERVED_SLUGS
from companion.db import session
from companion.errors import BadRequest
from companion.parsing import has_controls
from companion.programme.models import (
    Conference,
    Floor,
    Room,
    Speaker,
    Talk,
    TalkKind,
    TalkSpeaker,
    TalkStatus,
    Track,
    TrackHost,
    is_colour,
)
from companion.programme.queries import conference_by_slug

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class InvalidProgramme(BadRequest):
    """Programme data that cannot be stored; the message names the place and the problem."""


def create_conference_from_data(data: dict[str, Any], *, shift_days: int = 0) -> Conference:
    """Create a whole conference from our programme data (the demo's JSON shape), shifted by
    `shift_days`. Validates everything first, so nothing is written when anything is wrong."""
    conf = data["conference"]
    slug = _slug(conf["slug"], "conference.slug")
    if slug in RESERVED_SLUGS:
        raise InvalidProgramme(f"conference.slug: “{slug}” is reserved for the app's own pages.")
    if conference_by_slug(slug) is not None:
        raise InvalidProgramme(f"conference.slug: a conference “{slug}” already exists.")
    try:
        zone = ZoneInfo(conf["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidProgramme(
            f"conference.timezone: “{conf['timezone']}” is not a known time "
            "zone (use IANA names such as Europe/London)."
        ) from None
    shift = timedelta(days=shift_days)
    conference = Conference(
        slug=slug,
        name=conf["name"],
        timezone=conf["timezone"],
        start_date=date.fromisoformat(conf["start_date"]) + shift,
        end_date=date.fromisoformat(conf["end_date"]) + shift,
        venue=conf.get("venue", ""),
        address=conf.get("address", ""),
        url=conf.get("url", ""),
    )
    if conference.end_date < conference.start_date:
        raise InvalidProgramme("conference.end_date: the conference ends before it starts.")
    floors = {
        f["slug"]: Floor(
            slug=_slug(f["slug"], "floors.slug"), name=f["name"], level=int(f.get("level", 0))
        )
        for f in data.get("floors", [])
    }
    rooms: dict[str, Room] = {}
    for position, r in enumerate(data.get("rooms", [])):
        floor_slug = r.get("floor")
        if floor_slug is not None and floor_slug not in floors:
            raise InvalidProgramme(f"rooms[{position}].floor: no floor “{floor_slug}”.")
        rooms[r["slug"]] = Room(
            slug=_slug(r["slug"], f"rooms[{position}].slug"),
            name=r["name"],
            capacity=r.get("capacity"),
            description=r.get("description", ""),
            position=position,
            floor=floors[floor_slug] if floor_slug else None,
        )
    speakers = {
        s["slug"]: Speaker(
            slug=_slug(s["slug"], "speakers.slug"),
            name=s["name"],
            affiliation=s.get("affiliation", ""),
            bio=_speaker_bio(s),
        )
        for s in data.get("speakers", [])
    }
    tracks: dict[str, Track] = {}
    for position, t in enumerate(data.get("tracks", [])):
        colour = t.get("colour", "#4b5563")
        if not is_colour(colour):
            raise InvalidProgramme(f"tracks[{position}].colour: “{colour}” is not #RRGGBB.")
        track = Track(
            slug=_slug(t["slug"], f"tracks[{position}].slug"),
            name=t["name"],
            colour=colour,
            introduction=t.get("introduction", ""),
            position=position,
        )
        for host_position, host in enumerate(t.get("hosts", [])):
            if host not in speakers:
                raise InvalidProgramme(f"tracks[{position}].hosts: no speaker “{host}”.")
            track.host_links.append(TrackHost(speaker=speakers[host], position=host_position))
        tracks[t["slug"]] = track
    talks = [
        _talk(item, index, zone, shift, tracks=tracks, rooms=rooms, speakers=speakers)
        for index, item in enumerate(data.get("sessions", []))
    ]
    conference.floors = list(floors.values())
    conference.rooms = list(rooms.values())
    conference.speakers = list(speakers.values())
    conference.tracks = list(tracks.values())
    conference.talks = talks
    session.add(conference)
    session.flush()
    return conference


def _talk(
    item: dict[str, Any],
    index: int,
    zone: ZoneInfo,
    shift: timedelta,
    *,
    tracks: dict[str, Track],
    rooms: dict[str, Room],
    speakers: dict[str, Speaker],
) -> Talk:
    where = f"sessions[{index}]"
    day = date.fromisoformat(item["date"]) + shift
    start = _instant(day, item["start"], zone)
    end = _instant(day, item["end"], zone)
    if end <= start:  # runs past midnight
        end += timedelta(days=1)
    kind = item.get("kind", TalkKind.TALK.value)
    if kind not in TalkKind.__members__.values():
        raise InvalidProgramme(f"{where}.kind: “{kind}” is not one of {', '.join(TalkKind)}.")
    for key, known in (("track", tracks), ("room", rooms)):
        if item.get(key) is not None and item[key] not in known:
            raise InvalidProgramme(f"{where}.{key}: no {key} “{item[key]}”.")
    talk = Talk(
        title=item["title"],
        kind=kind,
        abstract=item.get("abstract", ""),
        start=start,
        end=end,
        status=item.get("status", TalkStatus.SCHEDULED.value),
        track=tracks[item["track"]] if item.get("track") else None,
        room=rooms[item["room"]] if item.get("room") else None,
    )
    if item.get("guid"):
        talk.guid = str(item["guid"])
    for position, slug in enumerate(item.get("speakers", [])):
        if slug not in speakers:
            raise InvalidProgramme(f"{where}.speakers: no speaker “{slug}”.")
        talk.speaker_links.append(TalkSpeaker(speaker=speakers[slug], position=position))
    return talk


def shift_conference(conference: Conference, *, days: int) -> None:
    """Move a whole conference by `days` (the demo follows today's date this way)."""
    if days == 0:
        return
    delta = timedelta(days=days)
    conference.start_date += delta
    conference.end_date += delta
    for talk in session.execute(select(Talk).where(Talk.conference_id == conference.id)).scalars():
        local_start = talk.start.astimezone(conference.zone)
        local_end = talk.end.astimezone(conference.zone)
        # Shift wall-clock times, not instants, so a move across a DST change keeps 09:00 at 09:00.
        talk.start = _as_utc(local_start.replace(tzinfo=None) + delta, conference.zone)
        talk.end = _as_utc(local_end.replace(tzinfo=None) + delta, conference.zone)
    session.flush()


def _instant(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    return _as_utc(datetime.combine(day, time.fromisoformat(hhmm)), zone)


def _as_utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _slug(value: str, where: str) -> str:
    if not isinstance(value, str) or not _SLUG.match(value) or len(value) > 100:
        raise InvalidProgramme(
            f"{where}: “{value}” is not a slug (lowercase letters, digits, single hyphens)."
        )
    return value


def _speaker_bio(item: dict[str, Any]) -> str:
    bio = item.get("bio", "")
    if item.get("fictional"):
        note = "*Fictional speaker, invented for the demo programme.*"
        return f"{bio}\n\n{note}" if bio else note
    return str(bio)


def slugify(name: str) -> str:
    """A URL slug for a name ("Ada Lovelace" → "ada-lovelace"; non-Latin names keep their letters
    out, so the slug may fall back to "item")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_name.lower())
    return "-".join(words)[:90].strip("-") or "item"


def unique_slug(
    model: type[Room] | type[Track] | type[Speaker] | type[Floor], conference_id: int, name: str
) -> str:
    """slugify(name), with a number added when the conference already uses it."""
    base = slugify(name)
    taken = set(
        session.execute(
            select(model.slug).where(
                model.conference_id == conference_id, model.slug.startswith(base)
            )
        ).scalars()
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def add_speaker(conference: Conference, name: str, *, affiliation: str = "") -> Speaker:
    """A new speaker, typed into a session form by a host or organiser."""
    name = " ".join(name.split())
    if not name or len(name) > 200 or has_controls(name):
        raise InvalidProgramme("A speaker needs a name of up to 200 printable characters.")
    speaker = Speaker(
        conference_id=conference.id,
        slug=unique_slug(Speaker, conference.id, name),
        name=name,
        affiliation=affiliation.strip()[:200],
    )
    session.add(speaker)
    session.flush()
    return speaker
