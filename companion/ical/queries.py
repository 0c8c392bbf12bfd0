"""Named reads for calendar feeds."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from companion.accounts.models import FeedToken, User
from companion.agenda.models import Star
from companion.db import session
from companion.errors import NotFound
from companion.programme.models import Conference, Room, Talk


def get_feed_owner_or_404(token: str) -> User:
    """The user a feed token belongs to; an unknown or replaced token is simply not found."""
    user = session.execute(
        select(User).join(FeedToken, FeedToken.user_id == User.id).where(FeedToken.token == token)
    ).scalar_one_or_none()
    if user is None:
        raise NotFound("There is no such calendar feed.")
    return user


def feed_fingerprint(user: User) -> str:
    """What the private feed depends on, in one query: the starred sessions, their conferences'
    revisions and the reminder lead time (the feed's ETag)."""
    rows = session.execute(
        select(Star.talk_id, Conference.id, Conference.revision)
        .join(Talk, Talk.id == Star.talk_id)
        .join(Conference, Conference.id == Talk.conference_id)
        .where(Star.user_id == user.id)
        .order_by(Star.talk_id)
    ).all()
    raw = f"{user.reminder_minutes}|" + ";".join(f"{t}:{c}:{r}" for t, c, r in rows)
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def starred_talks(user: User) -> list[Talk]:
    """Every session the user starred, with what an event needs (three queries)."""
    return list(
        session.execute(
            select(Talk)
            .join(Star, Star.talk_id == Talk.id)
            .where(Star.user_id == user.id)
            .options(
                joinedload(Talk.conference),
                joinedload(Talk.track),
                joinedload(Talk.room).joinedload(Room.floor),
                selectinload(Talk.speakers),
                selectinload(Talk.links),
            )
            .order_by(Talk.start, Talk.id)
        ).scalars()
    )
