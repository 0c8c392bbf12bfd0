"""Reads for the organiser's pages."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func, select

from companion.accounts.models import Role, User
from companion.agenda.models import Star
from companion.db import session
from companion.hosting.models import AuditEntry
from companion.programme.models import Conference, Floor, Talk


def audit_log(
    conference: Conference, *, before_id: int | None = None, limit: int = 200
) -> list[AuditEntry]:
    """The latest audit rows of a conference, newest first; `before_id` pages back."""
    query = select(AuditEntry).where(AuditEntry.conference_id == conference.id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(session.execute(query.order_by(AuditEntry.id.desc()).limit(limit)).scalars())


def session_counts(conference: Conference, *, by: Literal["track", "room"]) -> dict[int, int]:
    """How many sessions each track (or room) has, in one query (a delete button shows only at
    zero)."""
    column = Talk.track_id if by == "track" else Talk.room_id
    rows = session.execute(
        select(column, func.count())
        .where(Talk.conference_id == conference.id, column.is_not(None))
        .group_by(column)
    ).all()
    return {row[0]: row[1] for row in rows if row[0] is not None}


def floors(conference: Conference) -> list[Floor]:
    """The venue's floors, lowest first."""
    return list(
        session.execute(
            select(Floor)
            .where(Floor.conference_id == conference.id)
            .order_by(Floor.level, Floor.name)
        ).scalars()
    )


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
