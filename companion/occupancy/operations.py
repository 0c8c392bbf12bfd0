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


def session_for(conference: Conference, room: Room, now: datetime) -> Talk | None:
    """The session a room's crowd is for at `now`: the one on, else the next within LEAD."""
    candidates = session.execute(
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
    found = list(candidates)
    on = [talk for talk in found if talk.start <= now]
    return (on or found)[0] if found else None


def mark_full(actor: User | None, conference: Conference, room: Room, *, now: datetime) -> FullRoom:
    """Mark `room` full until the session on in it (or about to start) ends."""
    talk = session_for(conference, room, now)
    if talk is None:
        # Who may not mark it must not learn more than that (the check comes first).
        require(actor, conference.id, Need.EDITOR)
        minutes = int(LEAD.total_seconds() // 60)
        raise Conflict(f"Nothing is on in {room.name} now or in the next {minutes} minutes.")
    require(actor, conference.id, Need.EDITOR, track_ids={talk.track_id}, refusal=REFUSAL)
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
    """The room has seats again; True when it was marked full."""
    row = session.get(FullRoom, room.id)
    talk = session.get(Talk, row.talk_id) if row is not None and row.talk_id else None
    talk = talk or session_for(conference, room, now)
    track_ids = {talk.track_id} if talk is not None else None
    require(actor, conference.id, Need.EDITOR, track_ids=track_ids, refusal=REFUSAL)
    if row is None or row.until <= now:
        if row is not None:
            session.execute(delete(FullRoom).where(FullRoom.room_id == room.id))
        return False
    session.execute(delete(FullRoom).where(FullRoom.room_id == room.id))
    _announce(conference, room, full=False, until=None, talk=talk)
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
