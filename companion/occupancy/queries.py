"""Which rooms are full now (one indexed read; rows whose session has ended count as open)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from companion.db import session
from companion.occupancy.models import FullRoom
from companion.programme.models import Room, Talk


def full_rooms(conference_id: int, now: datetime) -> dict[str, dict[str, Any]]:
    """The rooms full at `now`, by slug: `{"until", "since", "session"}` (ISO instants, guid)."""
    rows = session.execute(
        select(Room.slug, FullRoom.until, FullRoom.set_at, Talk.guid)
        .join(Room, Room.id == FullRoom.room_id)
        .outerjoin(Talk, Talk.id == FullRoom.talk_id)
        .where(FullRoom.conference_id == conference_id, FullRoom.until > now)
        .order_by(Room.slug)
    ).all()
    return {
        slug: {"until": until.isoformat(), "since": since.isoformat(), "session": guid}
        for slug, until, since, guid in rows
    }
