"""The programme as one JSON document: pure functions from query results to plain data."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from companion.programme.models import Conference, Speaker, Talk
from companion.programme.queries import Programme
from companion.web import external_url

#: Bumped when the document's shape changes incompatibly.
FORMAT_VERSION = 1


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def conference_data(conference: Conference) -> dict[str, Any]:
    """A conference's own fields."""
    return {
        "slug": conference.slug,
        "name": conference.name,
        "timezone": conference.timezone,
        "start_date": conference.start_date.isoformat(),
        "end_date": conference.end_date.isoformat(),
        "days": [day.isoformat() for day in conference.days],
        "venue": conference.venue,
        "address": conference.address,
        "url": conference.url,
        "revision": conference.revision,
        "updated_at": _instant(conference.updated_at),
    }


def talk_data(conference: Conference, talk: Talk) -> dict[str, Any]:
    """One session, referring to its track, room and speakers by slug."""
    return {
        "guid": talk.guid,
        "title": talk.title,
        "kind": talk.kind,
        "status": talk.status,
        "day": conference.day_of(talk.start).isoformat(),
        "start": _instant(talk.start),
        "end": _instant(talk.end),
        "track": talk.track.slug if talk.track else None,
        "room": talk.room.slug if talk.room else None,
        "speakers": [speaker.slug for speaker in talk.speakers],
        "abstract": talk.abstract,
        "links": [link.input().as_dict() for link in talk.links],
        "version": talk.version,
    }


def photo_url(conference: Conference, speaker: Speaker) -> str | None:
    """The speaker's photo (320 px JPEG, which every client reads), or None: a letter avatar."""
    if not speaker.photo:
        return None
    return external_url(
        "photos.speaker_photo",
        conf=conference.slug,
        slug=speaker.slug,
        digest=speaker.photo,
        size="large",
        ext="jpg",
    )


def programme_document(programme: Programme) -> dict[str, Any]:
    """Everything a client needs to show the programme offline."""
    conference = programme.conference
    return {
        "format": FORMAT_VERSION,
        "conference": conference_data(conference),
        "floors": [{"slug": f.slug, "name": f.name, "level": f.level} for f in programme.floors],
        "rooms": [
            {
                "slug": r.slug,
                "name": r.name,
                "capacity": r.capacity,
                "floor": r.floor.slug if r.floor else None,
                "description": r.description,
            }
            for r in programme.rooms
        ],
        "tracks": [
            {
                "slug": t.slug,
                "name": t.name,
                "colour": t.colour,
                "introduction": t.introduction,
                "hosts": [host.slug for host in t.hosts],
            }
            for t in programme.tracks
        ],
        "speakers": [
            {
                "slug": s.slug,
                "name": s.name,
                "affiliation": s.affiliation,
                "bio": s.bio,
                "photo": photo_url(conference, s),
                "photo_placeholder": s.photo_placeholder if s.photo else None,
                "links": [link.input().as_dict() for link in s.links],
            }
            for s in programme.speakers
        ],
        "sessions": [talk_data(conference, talk) for talk in programme.talks],
    }


def dumps(document: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
