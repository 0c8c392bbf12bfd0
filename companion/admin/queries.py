"""Reads for the organiser's pages."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func, select

from companion.db import session
from companion.errors import NotFound
from companion.hosting.models import AuditEntry
from companion.programme.models import Conference, Floor, Room, Talk, Track

T = TypeVar("T", Floor, Room, Track)


def audit_log(
    conference: Conference, *, before_id: int | None = None, limit: int = 200
) -> list[AuditEntry]:
    """The latest audit rows of a conference, newest first; `before_id` pages back."""
    query = select(AuditEntry).where(AuditEntry.conference_id == conference.id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(session.execute(query.order_by(AuditEntry.id.desc()).limit(limit)).scalars())


def session_counts(conference: Conference) -> dict[str, dict[int, int]]:
    """How many sessions each track and each room has (a delete button shows only at zero)."""
    counts: dict[str, dict[int, int]] = {"track": {}, "room": {}}
    for key, column in (("track", Talk.track_id), ("room", Talk.room_id)):
        rows = session.execute(
            select(column, func.count())
            .where(Talk.conference_id == conference.id, column.is_not(None))
            .group_by(column)
        ).all()
        counts[key] = {row[0]: row[1] for row in rows if row[0] is not None}
    return counts


def floors(conference: Conference) -> list[Floor]:
    """The venue's floors, lowest first."""
    return list(
        session.execute(
            select(Floor)
            .where(Floor.conference_id == conference.id)
            .order_by(Floor.level, Floor.name)
        ).scalars()
    )


def get_floor_or_404(conference: Conference, slug: str) -> Floor:
    """One floor of a conference."""
    return _one(Floor, conference, slug, "floor")


def get_room_or_404(conference: Conference, slug: str) -> Room:
    """One room of a conference."""
    return _one(Room, conference, slug, "room")


def get_track_or_404(conference: Conference, slug: str) -> Track:
    """One track of a conference (without eager loads: the edit form reads hosts itself)."""
    return _one(Track, conference, slug, "track")


def _one(model: type[T], conference: Conference, slug: str, name: str) -> T:
    found = session.execute(
        select(model).where(model.conference_id == conference.id, model.slug == slug)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"There is no such {name} in this conference.")
    return found
