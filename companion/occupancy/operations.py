"""Marking a room full, or open again. Either is one short transaction that also writes a live
event (kind "room"), so every open room and session page learns of it within a second. Neither
moves the programme's revision: no cached page changes, no phone downloads anything."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from companion.accounts.models import User
from companion.accounts.permissions import Need, require
from companion.db import session
from companion.errors import Conflict
from companion.live.record import publish
from companion.occupancy.models import FullRoom
from companion.programme.models import Conference, Room, Talk, TalkKind, TalkStatus

#: A room can be marked full this long before its next session starts (the queue at the door).
LEAD = timedelta(minutes=30)
REFUSAL = "You can mark a room full only during the sessions of the tracks you host."


def sessions_for(conference: Conference, room: Room, now: datetime) -> list[Talk]:
    """The sessions a room's crowd may be for at `now`: the one on, then those starting within
    LEAD (the queue at the door for the next one)."""
    found = session.execute(
        select(Talk)
        .where(
            Talk.conference_id == conference.id,
            Talk.room_id == room.id,
            Talk.status != TalkStatus.CANCELLED,
            Talk.kind != TalkKind.BREAK,
            Talk.end > now,
            Talk.start <= now + LEAD,
        )
        .order_by(Talk.start, Talk.id)
    ).scalars()
    return list(found)


def _theirs(actor: User | None, conference: Conference, talks: list[Talk]) -> Talk:
    """The first of `talks` the actor may mark the room for: any for organisers, else one of a
    track they host (the session on now, or the next one's queue); else 401/403."""
    tracks = {talk.track_id for talk in talks if talk.track_id is not None}
    mine = require(actor, conference.id, Need.EDITOR, any_of=tracks, refusal=REFUSAL)
    return next(t for t in talks if mine.organiser or t.track_id in mine.hosted_track_ids)


def mark_full(actor: User | None, conference: Conference, room: Room, *, now: datetime) -> FullRoom:
    """Mark `room` full until the session it is full for ends: the one on now, or the next
    one's queue (for its track's hosts)."""
    talks = sessions_for(conference, room, now)
    if not talks:
        # Who may not mark it must not learn more than that (the check comes first).
        require(actor, conference.id, Need.EDITOR)
        minutes = int(LEAD.total_seconds() // 60)
        raise Conflict(f"Nothing is on in {room.name} now or in the next {minutes} minutes.")
    talk = _theirs(actor, conference, talks)
    assert actor is not None
    row = session.get(FullRoom, room.id)
    if row is None:
        row = FullRoom(room_id=room.id, conference_id=conference.id)
        session.add(row)
    row.talk_id, row.until, row.set_by, row.set_at = talk.id, talk.end, actor.id, now
    session.flush()
    _announce(conference, room, full=True, until=talk.end, talk=talk)
    return row


def mark_open(actor: User | None, conference: Conference, room: Room, *, now: datetime) -> bool:
    """The room has seats again; True when it was marked full. A sign that has run out (its
    session ended) is open already and checks nobody's track."""
    row = session.get(FullRoom, room.id)
    live = row is not None and row.until > now
    marked = session.get(Talk, row.talk_id) if live and row is not None and row.talk_id else None
    talks = [marked] if marked is not None else sessions_for(conference, room, now)
    if talks:
        _theirs(actor, conference, talks)
    else:
        require(actor, conference.id, Need.EDITOR)
    if row is not None:
        session.execute(delete(FullRoom).where(FullRoom.room_id == room.id))
    if not live:
        return False
    _announce(conference, room, full=False, until=None, talk=marked)
    return True


def _announce(
    conference: Conference, room: Room, *, full: bool, until: datetime | None, talk: Talk | None
) -> None:
    data = {
        "room": room.slug,
        "name": room.name,
        "full": full,
        "until": until.isoformat() if until else None,
        "session": talk.guid if talk else None,
    }
    publish(session, conference.id, "room", conference.revision, data)
