"""Comparing a checked import plan with the conference as it is: what is new, what changes, what
is cancelled (gone from the file), as the diff people read and the audit rows record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from companion.exchange.diff import FieldChange, SessionChange
from companion.exchange.model import guid_key, name_key
from companion.exchange.plan import ImportPlan, WantedTalk
from companion.exchange.queries import Existing
from companion.programme.links import Link, LinkInput, describe
from companion.programme.models import Talk, TalkStatus


def compare(plan: ImportPlan) -> None:
    """Fill `plan.diff` with what applying the plan changes (sessions matched by guid, written
    with or without hyphens; rooms, tracks and speakers by name)."""
    diff = plan.diff
    existing = plan.existing
    rooms = {name_key(r.name): r for r in existing.rooms} if existing else {}
    tracks = {name_key(t.name): t for t in existing.tracks} if existing else {}
    speakers = {name_key(s.name): s for s in existing.speakers} if existing else {}
    for key, name in plan.rooms.items():
        if key not in rooms:
            diff.new_rooms.append(name)
        elif rooms[key].name != name:
            diff.renamed_rooms.append(FieldChange("name", rooms[key].name, name))
    diff.removed_rooms = [r.name for k, r in rooms.items() if k not in plan.rooms]
    for key, (capacity, description) in plan.room_details.items():
        room = rooms.get(key)
        if room is not None and capacity is not None and room.capacity != capacity:
            diff.changed_details.append(
                FieldChange(f"{room.name}: capacity", _text(room.capacity), str(capacity))
            )
        if room is not None and description and room.description != description:
            diff.changed_details.append(
                FieldChange(f"{room.name}: description", room.description, description)
            )
    for key, colour in plan.track_colours.items():
        track = tracks.get(key)
        if track is not None and key in plan.tracks and track.colour != colour:
            diff.changed_details.append(FieldChange(f"{track.name}: colour", track.colour, colour))
    diff.new_tracks = [name for key, name in plan.tracks.items() if key not in tracks]
    diff.removed_tracks = [t.name for k, t in tracks.items() if k not in plan.tracks]
    for key, (name, bio) in plan.speakers.items():
        if key not in speakers:
            diff.new_speakers.append(name)
        elif speakers[key].name != name:
            diff.changed_speakers.append(FieldChange("name", speakers[key].name, name))
        elif bio and speakers[key].bio != bio:
            diff.changed_speakers.append(FieldChange("biography", name, name))
        elif key in plan.speaker_links and _inputs(speakers[key].links) != plan.speaker_links[key]:
            diff.changed_speakers.append(FieldChange("links", name, name))
    diff.removed_speakers = [s.name for k, s in speakers.items() if k not in plan.speakers]
    by_guid = {guid_key(t.guid): t for t in existing.talks} if existing else {}
    names_of = _display_names(plan, existing)
    for wanted in plan.talks:
        talk = by_guid.get(guid_key(wanted.guid))
        if talk is None:
            diff.new_sessions.append(
                SessionChange(wanted.guid, wanted.title, summary=_when(plan, wanted, names_of))
            )
            continue
        changes = _talk_changes(plan, talk, wanted, names_of)
        if changes:
            diff.changed_sessions.append(SessionChange(talk.guid, wanted.title, changes=changes))
    wanted_guids = {guid_key(t.guid) for t in plan.talks}
    for talk in existing.talks if existing else []:
        if guid_key(talk.guid) not in wanted_guids and talk.status == TalkStatus.SCHEDULED.value:
            diff.cancelled_sessions.append(
                SessionChange(
                    talk.guid,
                    talk.title,
                    summary=f"{_local(plan, talk.start)}",
                    changes=[FieldChange("status", "scheduled", "cancelled")],
                )
            )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(slots=True)
class _Names:
    rooms: dict[int, str]
    tracks: dict[int, str]
    speakers: dict[int, str]
    room_keys: dict[int, str]
    track_keys: dict[int, str]
    speaker_keys: dict[int, str]


def _display_names(plan: ImportPlan, existing: Existing | None) -> _Names:
    if existing is None:
        return _Names({}, {}, {}, {}, {}, {})
    return _Names(
        rooms={r.id: r.name for r in existing.rooms},
        tracks={t.id: t.name for t in existing.tracks},
        speakers={s.id: s.name for s in existing.speakers},
        room_keys={r.id: name_key(r.name) for r in existing.rooms},
        track_keys={t.id: name_key(t.name) for t in existing.tracks},
        speaker_keys={s.id: name_key(s.name) for s in existing.speakers},
    )


def _local(plan: ImportPlan, instant: datetime) -> str:
    return f"{instant.astimezone(plan.zone):%Y-%m-%d %H:%M}"


def _when(plan: ImportPlan, wanted: WantedTalk, names: _Names) -> str:
    room = plan.rooms.get(wanted.room or "", "no room")
    return f"{_local(plan, wanted.start)}–{wanted.end.astimezone(plan.zone):%H:%M}, {room}"


def _talk_changes(
    plan: ImportPlan, talk: Talk, wanted: WantedTalk, names: _Names
) -> list[FieldChange]:
    changes: list[FieldChange] = []

    def add(name: str, old: str | None, new: str | None) -> None:
        changes.append(FieldChange(name, old, new))

    if talk.title != wanted.title:
        add("title", talk.title, wanted.title)
    if talk.abstract != wanted.abstract:
        add("abstract", talk.abstract, wanted.abstract)
    if talk.kind != wanted.kind:
        add("kind", talk.kind, wanted.kind)
    old_track = names.track_keys.get(talk.track_id) if talk.track_id else None
    if old_track != wanted.track:
        add(
            "track",
            names.tracks.get(talk.track_id) if talk.track_id else None,
            plan.tracks.get(wanted.track) if wanted.track else None,
        )
    old_room = names.room_keys.get(talk.room_id) if talk.room_id else None
    if old_room != wanted.room:
        add(
            "room",
            names.rooms.get(talk.room_id) if talk.room_id else None,
            plan.rooms.get(wanted.room) if wanted.room else None,
        )
    if talk.start != wanted.start:
        add("start", _local(plan, talk.start), _local(plan, wanted.start))
    if talk.end != wanted.end:
        add("end", _local(plan, talk.end), _local(plan, wanted.end))
    if talk.status != TalkStatus.SCHEDULED.value:
        add("status", talk.status, TalkStatus.SCHEDULED.value)
    old_people = [names.speaker_keys.get(link.speaker_id, "") for link in talk.speaker_links]
    if old_people != wanted.speakers:
        add(
            "speakers",
            ", ".join(names.speakers.get(link.speaker_id, "?") for link in talk.speaker_links),
            ", ".join(plan.speakers[key][0] for key in wanted.speakers),
        )
    if wanted.links is not None and _inputs(talk.links) != wanted.links:
        add("links", describe(_inputs(talk.links)) or None, describe(wanted.links))
    return changes


def _inputs(links: list[Link]) -> list[LinkInput]:
    return [link.input() for link in links]
