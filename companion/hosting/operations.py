"""Editing a session: permission, optimistic locking, validation, then the change and its audit
rows in one flush. The change alerts for attendees come from the notify flush hook in the same
transaction; the caller commits once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from companion.accounts.models import User
from companion.accounts.queries import powers
from companion.db import session
from companion.errors import Conflict, Forbidden, Invalid
from companion.hosting.models import AuditEntry
from companion.programme.models import (
    Conference,
    Room,
    Talk,
    TalkKind,
    TalkSpeaker,
    TalkStatus,
    Track,
)

#: Fields an editor may change, in the order they are audited.
EDITABLE = ("title", "abstract", "kind", "track_id", "room_id", "start", "end", "status")


def snapshot(talk: Talk) -> dict[str, Any]:
    """The editable fields as they are now."""
    return {name: getattr(talk, name) for name in EDITABLE}


def check_may_edit(actor: User, talk: Talk, *, new_track_id: int | None) -> None:
    """Organisers edit everything in their conference; a host edits sessions of the tracks they
    host and may move one only into another track they host."""
    mine = powers(actor.id, talk.conference_id)
    if mine.organiser:
        return
    if talk.track_id not in mine.hosted_track_ids:
        raise Forbidden("You can edit only the sessions of the tracks you host.")
    if new_track_id not in mine.hosted_track_ids:
        raise Forbidden("You can move a session only into a track you host.")


def update_talk(
    talk: Talk,
    changes: dict[str, Any],
    *,
    actor: User,
    expected_version: int,
    confirmed: bool = False,
) -> list[AuditEntry]:
    """Apply `changes` (a subset of EDITABLE) to `talk` if `expected_version` is still current
    and every rule holds; write one audit row per changed field. Raises Forbidden, Conflict
    (with the current values), or Invalid (with field errors, or warnings to confirm)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    before = snapshot(talk)
    after = {**before, **changes}
    check_may_edit(actor, talk, new_track_id=after["track_id"])
    if talk.version != expected_version:
        raise Conflict(
            "Someone else saved this session after you opened it. Your changes are not saved; "
            "compare them with the current version below.",
            details={"current": _public(before), "version": talk.version},
        )
    conference = session.get(Conference, talk.conference_id)
    assert conference is not None
    _validate(talk, conference, after, confirmed=confirmed)
    changed = [name for name in EDITABLE if before[name] != after[name]]
    # Audit rows first: describing a room or track queries, and must not flush half a change
    # (one UPDATE per save, so the version moves by exactly one).
    entries = [_audit(talk, conference, actor, name, before[name], after[name]) for name in changed]
    for name in changed:
        setattr(talk, name, after[name])
    session.add_all(entries)
    session.flush()  # the version counter refuses a concurrent save (StaleDataError → 409)
    return entries


def _validate(
    talk: Talk, conference: Conference, after: dict[str, Any], *, confirmed: bool
) -> None:
    errors: dict[str, str] = {}
    start, end = after["start"], after["end"]
    if not str(after["title"]).strip():
        errors["title"] = "A session needs a title."
    if after["kind"] not in TalkKind.__members__.values():
        errors["kind"] = "Choose keynote, talk, panel, workshop or break."
    if after["status"] not in TalkStatus.__members__.values():
        errors["status"] = "A session is scheduled or cancelled."
    if end <= start:
        errors["end"] = "The session must end after it starts."
    first, _ = conference.day_bounds(conference.start_date)
    _, last = conference.day_bounds(conference.end_date)
    if not (first <= start and end <= last):
        errors["start"] = (
            f"The session must take place during the conference "
            f"({conference.start_date} to {conference.end_date})."
        )
    if errors:
        raise Invalid("Some fields need changing.", details={"fields": errors})
    if after["status"] == TalkStatus.CANCELLED.value:
        return  # a cancelled session holds no room and keeps nobody busy
    if after["room_id"] is not None:
        clash = _overlapping(talk, start, end).where(Talk.room_id == after["room_id"])
        other = session.execute(clash).scalars().first()
        if other is not None:
            raise Invalid(
                "The room is taken.",
                details={
                    "fields": {
                        "room_id": f"“{other.title}” is in this room then "
                        f"({conference.local(other.start):%H:%M}–"
                        f"{conference.local(other.end):%H:%M})."
                    }
                },
            )
    speaker_ids = select(TalkSpeaker.speaker_id).where(TalkSpeaker.talk_id == talk.id)
    busy = (
        session.execute(
            _overlapping(talk, start, end)
            .join(TalkSpeaker, TalkSpeaker.talk_id == Talk.id)
            .where(TalkSpeaker.speaker_id.in_(speaker_ids))
            .options(selectinload(Talk.speakers))
        )
        .scalars()
        .unique()
        .all()
    )
    if busy and not confirmed:
        names = sorted({s.name for other in busy for s in other.speakers})
        raise Invalid(
            "A speaker would be in two places at once.",
            details={
                "warnings": [
                    f"{', '.join(names)} also speak{'s' if len(names) == 1 else ''} in "
                    f"“{other.title}” at that time."
                    for other in busy
                ]
            },
        )


def _overlapping(talk: Talk, start: datetime, end: datetime) -> Any:
    return select(Talk).where(
        Talk.conference_id == talk.conference_id,
        Talk.id != talk.id,
        Talk.status == TalkStatus.SCHEDULED.value,
        Talk.start < end,
        Talk.end > start,
    )


def _display(conference: Conference, name: str, value: Any) -> str | None:
    if value is None:
        return None
    if name in ("start", "end"):
        return f"{conference.local(value):%Y-%m-%d %H:%M}"
    if name == "room_id":
        room = session.get(Room, value)
        return room.name if room else str(value)
    if name == "track_id":
        track = session.get(Track, value)
        return track.name if track else str(value)
    return str(value)


def _audit(
    talk: Talk, conference: Conference, actor: User, name: str, old: Any, new: Any
) -> AuditEntry:
    action = "update"
    if name == "status":
        action = "cancel" if new == TalkStatus.CANCELLED.value else "restore"
    return AuditEntry(
        conference_id=talk.conference_id,
        talk_id=talk.id,
        talk_guid=talk.guid,
        talk_title=talk.title,
        user_id=actor.id,
        actor=actor.display_name,
        action=action,
        field=name.removesuffix("_id"),
        old=_display(conference, name, old),
        new=_display(conference, name, new),
    )


def _public(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name.removesuffix("_id"): v.isoformat() if isinstance(v, datetime) else v
        for name, v in values.items()
    }
