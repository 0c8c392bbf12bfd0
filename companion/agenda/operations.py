"""Writes to a user's schedule. Idempotent: starring twice or unstarring twice changes nothing."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from companion.accounts.models import User
from companion.agenda.models import Star
from companion.db import session, utcnow
from companion.errors import NotFound
from companion.programme.models import Talk


def star(user_id: int, talk: Talk) -> bool:
    """Star `talk` for the user; True when it was not starred before. One INSERT … ON CONFLICT DO
    NOTHING, so two taps (or an offline replay) racing each other can never fail or double."""
    values = {
        "user_id": user_id,
        "talk_id": talk.id,
        "created_at": utcnow(),
        "seen_start": talk.start,
        "seen_end": talk.end,
        "seen_room_id": talk.room_id,
        "seen_status": talk.status,
    }
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgres_insert
    statement = insert(Star).values(values).on_conflict_do_nothing().returning(Star.talk_id)
    try:
        # RETURNING says whether a row went in (rowcount is -1 on some drivers here).
        created = session.execute(statement).first() is not None
    except IntegrityError:
        # The session was deleted after it was read (hosting.operations.delete_talk holds its
        # row, so the delete either saw this star and was refused, or won and this must lose).
        raise NotFound("This session was removed from the programme.") from None
    if created:
        _schedule_changed(user_id)
    return created


def unstar(user_id: int, talk: Talk) -> bool:
    """Unstar `talk`; True when it was starred."""
    result = session.execute(delete(Star).where(Star.user_id == user_id, Star.talk_id == talk.id))
    removed = bool(result.rowcount)  # type: ignore[attr-defined]
    if removed:
        _schedule_changed(user_id)
    return removed


def swap(user_id: int, *, keep: Talk | None, drop: list[Talk]) -> None:
    """Settle a clash in one step: star `keep` (when given) and unstar each of `drop` — keep one
    of two overlapping sessions, or go to another session of the slot instead."""
    if keep is not None:
        star(user_id, keep)
    for talk in drop:
        if keep is None or talk.id != keep.id:
            unstar(user_id, talk)


def _schedule_changed(user_id: int) -> None:
    # The private calendar feed's Last-Modified: an unstar leaves no other trace.
    session.execute(update(User).where(User.id == user_id).values(schedule_changed_at=utcnow()))


def acknowledge_changes(user_id: int, stars: list[Star]) -> None:
    """The user has seen what changed: remember the talks as they are now."""
    for item in stars:
        if item.user_id == user_id:
            item.remember(item.talk)
    session.flush()


def move_stars(from_user_id: int, to_user_id: int) -> None:
    """Union a guest's stars into an account's (signing in on another device)."""
    have = set(session.execute(select(Star.talk_id).where(Star.user_id == to_user_id)).scalars())
    for item in session.execute(select(Star).where(Star.user_id == from_user_id)).scalars():
        if item.talk_id not in have:
            session.add(
                Star(
                    user_id=to_user_id,
                    talk_id=item.talk_id,
                    created_at=item.created_at,
                    seen_start=item.seen_start,
                    seen_end=item.seen_end,
                    seen_room_id=item.seen_room_id,
                    seen_status=item.seen_status,
                )
            )
    session.execute(delete(Star).where(Star.user_id == from_user_id))
    _schedule_changed(to_user_id)
    session.flush()
