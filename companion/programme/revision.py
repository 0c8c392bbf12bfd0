"""Keep `Conference.revision` in step with every change to a conference's programme.

Page caches, ETags and the offline copy on phones are keyed by the revision, so it must move in the
same transaction as the change, whoever makes it (editor, importer, CLI). Doing it in one flush hook
means no write path can forget it — as long as it goes through ORM objects: a bulk
`session.execute(update(Talk)…)` does not flush objects and must call `bump()` itself.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from companion.db import utcnow
from companion.programme.models import (
    Conference,
    Floor,
    Room,
    Speaker,
    Talk,
    TalkSpeaker,
    Track,
    TrackHost,
)

_DIRECT = (Floor, Room, Speaker, Talk, Track)


def install(factory: sessionmaker[Session]) -> None:
    """Bump conference revisions after every flush (of `factory`'s sessions, and any other).

    The hook goes on the Session class itself, once: each sessionmaker makes a Session subclass
    of its own, and SQLAlchemy's event registry keys targets by id(), so after a discarded app's
    class is collected, a new one at the same address could look "already registered" and go
    without the hook (seen in tests that create many apps)."""
    del factory  # every session gets it; the hook only touches our programme models
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def _after_flush(session: Session, _context: Any) -> None:
    conference_ids: set[int | None] = set()
    talk_ids: set[int] = set()
    track_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Conference):
            if obj not in session.new and _changed_beyond_revision(session, obj):
                conference_ids.add(obj.id)
        elif isinstance(obj, _DIRECT):
            conference_ids.add(obj.conference_id)
        elif isinstance(obj, TalkSpeaker):
            talk_ids.add(obj.talk_id)
        elif isinstance(obj, TrackHost):
            track_ids.add(obj.track_id)
    if talk_ids:
        conference_ids.update(
            session.execute(select(Talk.conference_id).where(Talk.id.in_(talk_ids))).scalars()
        )
    if track_ids:
        conference_ids.update(
            session.execute(select(Track.conference_id).where(Track.id.in_(track_ids))).scalars()
        )
    conference_ids.discard(None)
    bump(session, {cid for cid in conference_ids if cid is not None})


def bump(session: Session, conference_ids: set[int]) -> None:
    """Move the revision of `conference_ids` on (bulk writes that bypass the ORM call this)."""
    if not conference_ids:
        return
    session.connection().execute(
        update(Conference.__table__)  # type: ignore[arg-type]
        .where(Conference.__table__.c.id.in_(conference_ids))
        .values(revision=Conference.__table__.c.revision + 1, updated_at=utcnow())
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Conference) and obj.id in conference_ids:
            session.expire(obj, ["revision", "updated_at"])


def _changed_beyond_revision(session: Session, conference: Conference) -> bool:
    state = inspect(conference)
    return any(
        attr.history.has_changes()
        for attr in state.attrs
        if attr.key not in ("revision", "updated_at") and attr.key in state.mapper.column_attrs
    )
