"""Reads for the organiser's pages."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func, select

from companion.accounts.models import Role, User
from companion.agenda.models import Star
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


def _of_conference(conference_id: int) -> Any:
    """Users with a role in the conference or a star on one of its sessions."""
    starred = (
        select(Star.user_id)
        .join(Talk, Talk.id == Star.talk_id)
        .where(Talk.conference_id == conference_id)
    )
    roles = select(Role.user_id).where(Role.conference_id == conference_id)
    return User.id.in_(starred) | User.id.in_(roles)


def find_users(text: str, *, conference: Conference, limit: int = 50) -> list[User]:
    """Registered people of this conference whose email or name contains `text`."""
    pattern = f"%{text.strip().lower()}%"
    return list(
        session.execute(
            select(User)
            .where(User.email.is_not(None), _of_conference(conference.id))
            .where(User.email.like(pattern) | User.name.ilike(pattern))
            .order_by(User.email)
            .limit(limit)
        ).scalars()
    )


def belongs_to(user_id: int, conference: Conference) -> bool:
    """True when the user has a role in the conference or starred one of its sessions: whom its
    organisers may help (another conference's people are not theirs to touch)."""
    found = session.execute(
        select(User.id).where(User.id == user_id, _of_conference(conference.id))
    )
    return found.first() is not None
