"""Audit rows: one per changed field of a session, with values as people read them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from companion.accounts.models import User
from companion.db import session
from companion.hosting.models import AuditEntry
from companion.programme.links import describe
from companion.programme.models import Conference, Room, Speaker, Talk, TalkStatus, Track


def display(conference: Conference, name: str, value: Any) -> str | None:
    """A field's value as the audit log and the changelog show it."""
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
    if name == "speaker_ids":
        names = dict(
            session.execute(select(Speaker.id, Speaker.name).where(Speaker.id.in_(value))).all()
        )
        return ", ".join(names.get(i, str(i)) for i in value)
    if name == "links":
        return describe(value)
    return str(value)


def field_entry(
    talk: Talk, conference: Conference, actor: User, name: str, old: Any, new: Any
) -> AuditEntry:
    """The row for one changed field (a status change reads as a cancel or a restore)."""
    action = "update"
    if name == "status":
        action = "cancel" if new == TalkStatus.CANCELLED.value else "restore"
    return AuditEntry(
        conference_id=conference.id,
        talk_id=talk.id,
        talk_guid=talk.guid,
        talk_title=talk.title,
        user_id=actor.id,
        actor=actor.display_name,
        action=action,
        field=name.removesuffix("_ids").removesuffix("_id")
        + ("s" if name.endswith("_ids") else ""),
        old=display(conference, name, old),
        new=display(conference, name, new),
    )


def whole_entry(
    talk: Talk, conference: Conference, actor: User, action: str, *, talk_id: int | None
) -> AuditEntry:
    """The row for a session created or deleted: when and where it was (or is)."""
    room = session.get(Room, talk.room_id) if talk.room_id else None
    where = f"{conference.local(talk.start):%Y-%m-%d %H:%M}–{conference.local(talk.end):%H:%M}" + (
        f" · {room.name}" if room else ""
    )
    return AuditEntry(
        conference_id=conference.id,
        talk_id=talk_id,
        talk_guid=talk.guid,
        talk_title=talk.title,
        user_id=actor.id,
        actor=actor.display_name,
        action=action,
        field=None,
        old=where if action == "delete" else None,
        new=where if action == "create" else None,
    )


def subject_entries(
    conference: Conference,
    actor: User,
    subject: str,
    name: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    action: str = "update",
) -> list[AuditEntry]:
    """Rows for what an organiser changed in something other than a session (the conference,
    a track, room, floor or role): one per field whose value differs."""
    return [
        AuditEntry(
            conference_id=conference.id,
            subject=subject,
            talk_guid=None,
            talk_title=name,
            user_id=actor.id,
            actor=actor.display_name,
            action=action,
            field=key,
            old=None if before.get(key) is None else str(before[key]),
            new=None if after.get(key) is None else str(after[key]),
        )
        for key in {**before, **after}
        if before.get(key) != after.get(key)
    ]
