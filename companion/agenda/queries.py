"""Named reads of users' schedules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from companion.agenda.models import Star
from companion.db import session
from companion.programme.models import Conference, Room, Talk, Track
from companion.programme.queries import talk_cards


def stars_in(user_id: int, conference: Conference) -> list[Star]:
    """The user's stars in one conference with their talks as cards show them, in time order
    (My schedule, the agenda API, whose sessions carry their links): three queries whatever the
    number of stars."""
    return list(
        session.execute(
            select(Star)
            .join(Talk, Talk.id == Star.talk_id)
            .where(Star.user_id == user_id, Talk.conference_id == conference.id)
            .options(
                contains_eager(Star.talk).options(
                    joinedload(Talk.track),
                    joinedload(Talk.room).joinedload(Room.floor),
                    selectinload(Talk.speakers),
                    selectinload(Talk.links),
                )
            )
            .order_by(Talk.start, Talk.end, Talk.id)
        ).scalars()
    )


def starred_guids(user_id: int) -> list[str]:
    """Guids of everything the user starred (the star buttons on cached pages)."""
    return list(
        session.execute(
            select(Talk.guid).join(Star, Star.talk_id == Talk.id).where(Star.user_id == user_id)
        ).scalars()
    )


def star_count(talk_id: int) -> int:
    """How many people starred one session: the people a cancellation tells (the host's
    confirmation, the refusal to delete a starred session)."""
    return int(session.execute(select(func.count()).where(Star.talk_id == talk_id)).scalar_one())


def talks_starting_at(conference: Conference, starts: set[datetime]) -> list[Talk]:
    """Talks that start at any of `starts` (the alternatives shown beside a clash)."""
    if not starts:
        return []
    return list(
        session.execute(
            talk_cards()
            .where(Talk.conference_id == conference.id, Talk.start.in_(starts))
            .order_by(Talk.start, Talk.id)
        ).scalars()
    )


def star_counts(conference: Conference, track_ids: set[int] | None) -> list[tuple[Talk, int]]:
    """How many attendees starred each talk (of `track_ids`, or all when None), most first
    (room sizing for hosts and organisers; never who starred)."""
    counts = select(Star.talk_id, func.count().label("stars")).group_by(Star.talk_id).subquery()
    query = (
        select(Talk, func.coalesce(counts.c.stars, 0))
        .outerjoin(counts, counts.c.talk_id == Talk.id)
        .outerjoin(Track, Talk.track_id == Track.id)
        .where(Talk.conference_id == conference.id)
        .options(joinedload(Talk.track), joinedload(Talk.room).joinedload(Room.floor))
        .order_by(func.coalesce(counts.c.stars, 0).desc(), Talk.start, Talk.id)
    )
    if track_ids is not None:
        query = query.where(Talk.track_id.in_(track_ids))
    return [(talk, int(count)) for talk, count in session.execute(query).all()]
