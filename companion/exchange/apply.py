"""Applying an import plan: create or update rooms, tracks, speakers and sessions, cancel what the
file no longer has, and write audit rows like a host's edit. Flushes, never commits."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from companion.db import session, utcnow
from companion.exchange.convert import slugify
from companion.exchange.diff import Diff, FieldChange
from companion.exchange.model import guid_key, name_key
from companion.exchange.plan import ImportPlan
from companion.exchange.queries import Existing
from companion.hosting.models import AuditEntry
from companion.programme.links import Link, LinkInput
from companion.programme.models import (
    Conference,
    Room,
    Speaker,
    Talk,
    TalkSpeaker,
    TalkStatus,
    Track,
)

#: Track chips carry white text: dark, distinct colours, picked by the track's name.
PALETTE = (
    "#1d4ed8",
    "#b91c1c",
    "#047857",
    "#7c3aed",
    "#b45309",
    "#0e7490",
    "#be185d",
    "#4d7c0f",
    "#4338ca",
    "#9f1239",
    "#0f766e",
    "#6d28d9",
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What was written."""

    conference: Conference
    diff: Diff
    #: Speaker name key → id, for every speaker of the file (the photos come after).
    speakers: dict[str, int] = field(default_factory=dict)


def apply_import(
    plan: ImportPlan,
    *,
    actor: str,
    user_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Write the plan: the conference (created if new), rooms, tracks, speakers, sessions, and
    one audit row per changed field. Flushes, never commits. Change alerts for moved, retimed
    and cancelled sessions come from the notify flush hook, as for any edit."""
    conference = plan.conference
    if conference is None:
        conference = Conference(**plan.values)
        session.add(conference)
    else:
        for name, value in plan.values.items():
            if getattr(conference, name) != value:
                setattr(conference, name, value)
    session.flush()
    existing = plan.existing or Existing([], [], [], [])
    room_ids = _ensure_rooms(plan, conference, existing)
    track_ids = _ensure_tracks(plan, conference, existing)
    speaker_ids = _ensure_speakers(plan, conference, existing)
    session.flush()
    by_guid = {guid_key(t.guid): t for t in existing.talks}
    changed = {guid_key(c.guid) for c in plan.diff.changed_sessions}
    created: list[Talk] = []
    for wanted in plan.talks:
        talk = by_guid.get(guid_key(wanted.guid))
        values = {
            "title": wanted.title,
            "abstract": wanted.abstract,
            "kind": wanted.kind,
            "track_id": track_ids[wanted.track] if wanted.track else None,
            "room_id": room_ids[wanted.room] if wanted.room else None,
            "start": wanted.start,
            "end": wanted.end,
            "status": TalkStatus.SCHEDULED.value,
        }
        people = [speaker_ids[key] for key in wanted.speakers]
        if talk is None:
            talk = Talk(guid=wanted.guid, conference_id=conference.id, **values)
            talk.speaker_links = [
                TalkSpeaker(speaker_id=sid, position=n) for n, sid in enumerate(people)
            ]
            talk.links = _rows(conference, wanted.links or [])
            session.add(talk)
            created.append(talk)
        elif guid_key(wanted.guid) in changed:
            for name, value in values.items():
                if getattr(talk, name) != value:
                    setattr(talk, name, value)
            if [link.speaker_id for link in talk.speaker_links] != people:
                _relink(talk, people)
                talk.updated_at = utcnow()  # an UPDATE, so the version moves with the speakers
            if wanted.links is not None and [x.input() for x in talk.links] != wanted.links:
                talk.links = _rows(conference, wanted.links)
                talk.updated_at = utcnow()  # the live event names the session ("details")
        if progress is not None:
            progress(1)
    for cancelled in plan.diff.cancelled_sessions:
        by_guid[guid_key(cancelled.guid)].status = TalkStatus.CANCELLED.value
    session.flush()
    session.add_all(_audit_rows(plan, conference, created, by_guid, actor, user_id))
    session.flush()
    return ImportResult(conference=conference, diff=plan.diff, speakers=speaker_ids)


def _rows(conference: Conference, links: list[LinkInput]) -> list[Link]:
    """New link rows (their owner is set by the relationship they are given to)."""
    return [
        Link(conference_id=conference.id, kind=x.kind, url=x.url, title=x.title, position=n)
        for n, x in enumerate(links)
    ]


def _relink(talk: Talk, people: list[int]) -> None:
    # Keep the link rows of speakers who stay (same primary key), add and drop the rest.
    kept = {link.speaker_id: link for link in talk.speaker_links}
    links = []
    for position, speaker_id in enumerate(people):
        link = kept.get(speaker_id) or TalkSpeaker(speaker_id=speaker_id)
        link.position = position
        links.append(link)
    talk.speaker_links = links


def _unique_slug(name: str, taken: set[str], fallback_prefix: str, limit: int) -> str:
    digest = hashlib.blake2b(name.encode(), digest_size=4).hexdigest()
    base = slugify(name, fallback=f"{fallback_prefix}-{digest}")[: limit - 6].strip("-")
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _ensure_rooms(plan: ImportPlan, conference: Conference, existing: Existing) -> dict[str, int]:
    rooms = {name_key(r.name): r for r in existing.rooms}
    taken = {r.slug for r in existing.rooms}
    position = max((r.position for r in existing.rooms), default=-1) + 1
    for key, name in plan.rooms.items():
        room = rooms.get(key)
        if room is None:
            room = Room(
                conference_id=conference.id,
                slug=_unique_slug(name, taken, "room", 64),
                name=name,
                position=position,
            )
            position += 1
            session.add(room)
            rooms[key] = room
        elif room.name != name:
            room.name = name
        if key in plan.room_details:
            capacity, description = plan.room_details[key]
            if capacity is not None and room.capacity != capacity:
                room.capacity = capacity
            if description and room.description != description:
                room.description = description
    session.flush()
    return {key: room.id for key, room in rooms.items()}


def _ensure_tracks(plan: ImportPlan, conference: Conference, existing: Existing) -> dict[str, int]:
    tracks = {name_key(t.name): t for t in existing.tracks}
    taken = {t.slug for t in existing.tracks}
    position = max((t.position for t in existing.tracks), default=-1) + 1
    for key, name in plan.tracks.items():
        if key in tracks:
            given = plan.track_colours.get(key)
            if given and tracks[key].colour != given:
                tracks[key].colour = given
            continue
        colour = (
            plan.track_colours.get(key)
            or PALETTE[int(hashlib.blake2b(key.encode(), digest_size=2).hexdigest(), 16) % 12]
        )
        track = Track(
            conference_id=conference.id,
            slug=_unique_slug(name, taken, "track", 100),
            name=name,
            colour=colour,
            position=position,
        )
        position += 1
        session.add(track)
        tracks[key] = track
    session.flush()
    return {key: track.id for key, track in tracks.items()}


def _ensure_speakers(
    plan: ImportPlan, conference: Conference, existing: Existing
) -> dict[str, int]:
    speakers = {name_key(s.name): s for s in existing.speakers}
    taken = {s.slug for s in existing.speakers}
    for key, (name, bio) in plan.speakers.items():
        speaker = speakers.get(key)
        if speaker is None:
            speaker = Speaker(
                conference_id=conference.id,
                slug=_unique_slug(name, taken, "speaker", 100),
                name=name,
                bio=bio,
                links=_rows(conference, plan.speaker_links.get(key, [])),
            )
            session.add(speaker)
            speakers[key] = speaker
        else:
            if speaker.name != name:
                speaker.name = name
            if bio and speaker.bio != bio:
                speaker.bio = bio
            links = plan.speaker_links.get(key)
            if links is not None and [x.input() for x in speaker.links] != links:
                speaker.links = _rows(conference, links)
    session.flush()
    return {key: speaker.id for key, speaker in speakers.items()}


def _audit_rows(
    plan: ImportPlan,
    conference: Conference,
    created: list[Talk],
    by_guid: dict[str, Talk],
    actor: str,
    user_id: int | None,
) -> list[AuditEntry]:
    def row(talk: Talk, action: str, change: FieldChange | None) -> AuditEntry:
        return AuditEntry(
            conference_id=conference.id,
            talk_id=talk.id,
            talk_guid=talk.guid,
            talk_title=talk.title,
            user_id=user_id,
            actor=actor,
            action=action,
            field=change.field if change else None,
            old=change.old if change else None,
            new=change.new if change else None,
        )

    rows = []
    for talk in created:
        added = row(talk, "create", None)
        room = session.get(Room, talk.room_id) if talk.room_id else None
        added.new = (
            f"{conference.local(talk.start):%Y-%m-%d %H:%M}–{conference.local(talk.end):%H:%M}"
            + (f" · {room.name}" if room else "")
        )  # where and when, as a host's "create" row says it
        rows.append(added)
    for change in plan.diff.changed_sessions:
        talk = by_guid[guid_key(change.guid)]
        for field_change in change.changes:
            action = "update"
            if field_change.field == "status":
                action = "restore"
            rows.append(row(talk, action, field_change))
    for change in plan.diff.cancelled_sessions:
        rows.append(row(by_guid[guid_key(change.guid)], "cancel", change.changes[0]))
    return rows
