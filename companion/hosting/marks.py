"""Change marks from the audit log: each session's net change against what it was 24 hours
before the programme's latest change (`companion.programme.marks` says why it counts from there).
A session moved away and back again has no mark; one moved twice says where it was a day ago."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import inspect, select

from companion.db import session
from companion.hosting.models import AuditEntry
from companion.programme.marks import RECENT, Mark, TalkMarks
from companion.programme.models import Conference, Talk, TalkStatus

#: The audited fields a mark can speak of.
MARKED_FIELDS = ("room", "start", "end", "status")


def recent_marks(conference: Conference, talks: Sequence[Talk]) -> dict[str, TalkMarks]:
    """The marks of `talks` (rooms loaded), by guid, from one query of the audit log."""
    since = conference.updated_at - RECENT
    rows = session.execute(
        select(AuditEntry)
        .where(
            AuditEntry.conference_id == conference.id,
            AuditEntry.subject == "session",
            AuditEntry.field.in_(MARKED_FIELDS),
            AuditEntry.at >= since,
            AuditEntry.talk_guid.in_(sorted({talk.guid for talk in talks})),
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).scalars()
    return marks_from_entries(conference, talks, rows)


def marks_from_entries(
    conference: Conference, talks: Sequence[Talk], entries: Iterable[AuditEntry]
) -> dict[str, TalkMarks]:
    """The marks of `talks` from their audit rows of the window, oldest first (pure)."""
    by_guid: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_guid.setdefault(entry.talk_guid or "", []).append(entry)
    found = {}
    for talk in talks:
        if talk.guid in by_guid:
            marks = talk_marks(conference, talk, by_guid[talk.guid])
            if marks.marks:
                found[talk.guid] = marks
    return found


def talk_marks(conference: Conference, talk: Talk, entries: Sequence[AuditEntry]) -> TalkMarks:
    """A session's marks: what it is now against the oldest value of each field in `entries`."""
    first: dict[str, AuditEntry] = {}
    last: dict[str, AuditEntry] = {}
    for entry in entries:
        first.setdefault(entry.field or "", entry)
        last[entry.field or ""] = entry
    marks: list[Mark] = []

    was_cancelled = talk.cancelled
    if "status" in first:
        was_cancelled = first["status"].old == TalkStatus.CANCELLED.value
        if was_cancelled and not talk.cancelled:
            marks.append(Mark("back-on", last["status"].at))

    # A talk's room must be loaded (pages load it); one with no room needs no load.
    loaded = "room" in inspect(talk).dict
    room = talk.room if loaded or talk.room_id is not None else None
    room_now = room.name if room is not None else None
    was_room = first["room"].old if "room" in first else room_now
    if was_room != room_now:
        at = last["room"].at
        marks.append(
            Mark("moved", at, room=was_room) if was_room else Mark("placed", at, room=room_now)
        )

    start, end = _minute(talk.start), _minute(talk.end)
    was_start = _instant(conference, first["start"].old) if "start" in first else None
    was_end = _instant(conference, first["end"].old) if "end" in first else None
    was_start, was_end = was_start or start, was_end or end
    if was_start != start or was_end != end:
        at = max(last[name].at for name in ("start", "end") if name in last)
        marks.append(
            Mark(
                "retimed",
                at,
                was_start=was_start,
                was_end=was_end,
                other_day=conference.day_of(was_start) != conference.day_of(start),
                end_only=was_start == start,
            )
        )
    return TalkMarks(
        tuple(marks),
        was_start=was_start,
        was_end=was_end,
        was_room=was_room,
        was_cancelled=was_cancelled,
    )


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def _instant(conference: Conference, written: str | None) -> datetime | None:
    """An audited time ("2020-03-02 10:20", the conference's zone: `audit.display`) as UTC."""
    if not written:
        return None
    try:
        local = datetime.strptime(written, "%Y-%m-%d %H:%M")
    except ValueError:
        return None  # a row written some other way: no mark rather than a wrong one
    return local.replace(tzinfo=conference.zone).astimezone(UTC)
