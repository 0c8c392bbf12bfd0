"""The reads of the stream server: events after an id, the ends of the kept range, and the
conference a stream URL names. Each runs in a thread of the stream server, in its own session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.live.models import LiveEvent
from companion.programme.models import Conference


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the stream sends it."""

    id: int
    conference_id: int
    kind: str
    revision: int
    data: dict[str, Any]


def events_after(
    session: Session, after: int, *, conference_id: int | None = None, limit: int = 1000
) -> list[StoredEvent]:
    """Events with an id above `after`, oldest first (of one conference, or of all)."""
    query = select(
        LiveEvent.id, LiveEvent.conference_id, LiveEvent.kind, LiveEvent.revision, LiveEvent.data
    ).where(LiveEvent.id > after)
    if conference_id is not None:
        query = query.where(LiveEvent.conference_id == conference_id)
    rows = session.execute(query.order_by(LiveEvent.id).limit(limit))
    return [StoredEvent(*row) for row in rows]


def newest_events(session: Session, limit: int) -> list[StoredEvent]:
    """The newest `limit` events of every conference, oldest first (a node's start)."""
    ids = select(LiveEvent.id).order_by(LiveEvent.id.desc()).limit(limit).subquery()
    floor = session.execute(select(func.min(ids.c.id))).scalar_one_or_none()
    if floor is None:
        return []
    return events_after(session, floor - 1, limit=limit)


def kept_range(session: Session) -> tuple[int, int]:
    """The oldest and newest event ids kept (0, 0 when there are none)."""
    oldest, newest = session.execute(select(func.min(LiveEvent.id), func.max(LiveEvent.id))).one()
    return int(oldest or 0), int(newest or 0)


@dataclass(frozen=True, slots=True)
class StreamedConference:
    """The conference a stream is for."""

    id: int
    slug: str
    revision: int


def conference_by_slug(session: Session, slug: str) -> StreamedConference | None:
    """The conference at `slug`, or None."""
    row = session.execute(
        select(Conference.id, Conference.slug, Conference.revision).where(Conference.slug == slug)
    ).one_or_none()
    return None if row is None else StreamedConference(*row)
