"""Keep `Conference.revision` in step with every change to a conference's programme.

Page caches, ETags and the offline copy on phones are keyed by the revision, so it must move in the
same transaction as the change, whoever makes it (editor, importer, CLI). Two session listeners
(registered by `companion.programme.wiring`) mean no write path can forget it: `after_flush` for
changed ORM objects, and `do_orm_execute` for bulk `update()`/`delete()` statements on the same
models, which flush no objects. Other features add their own conference-owned models with
`watch()` from their `init_app` (the venue's maps and room places).
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.engine import Result
from sqlalchemy.orm import ORMExecuteState, Session

from companion.db import utcnow
from companion.programme.links import Link
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

#: Models with a `conference_id` of their own: any change to one moves that conference on.
_DIRECT: set[type[Any]] = {Floor, Link, Room, Speaker, Talk, Track}


def watch(*models: type[Any]) -> None:
    """Let changes to `models` (each with a `conference_id`) move the revision too."""
    _DIRECT.update(models)


def watched_models() -> frozenset[type[Any]]:
    """Every model whose change moves a conference's revision (the programme's rows)."""
    return frozenset(_DIRECT | {Conference, TalkSpeaker, TrackHost})


def after_flush(session: Session, _context: Any) -> None:
    """Move the revision of every conference whose programme rows this flush changed."""
    conference_ids: set[int | None] = set()
    talk_ids: set[int] = set()
    track_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Conference):
            if obj not in session.new and _changed_beyond_revision(session, obj):
                conference_ids.add(obj.id)
        elif type(obj) in _DIRECT:
            conference_ids.add(getattr(obj, "conference_id", None))
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


def after_bulk(state: ORMExecuteState) -> Result[Any] | None:
    """A bulk UPDATE or DELETE of a programme model moves the revision of every conference whose
    rows it matches (found with the statement's own WHERE before it runs)."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    model = state.bind_mapper.class_
    where = state.statement.whereclause  # type: ignore[attr-defined]
    if model is Conference:
        owners = select(Conference.id)
    elif model in _DIRECT:
        owners = select(model.conference_id)
    elif model is TalkSpeaker:
        owners = select(Talk.conference_id).join(TalkSpeaker, TalkSpeaker.talk_id == Talk.id)
    elif model is TrackHost:
        owners = select(Track.conference_id).join(TrackHost, TrackHost.track_id == Track.id)
    else:
        return None
    if where is not None:
        owners = owners.where(where)
    conference_ids = set(state.session.execute(owners.distinct()).scalars())
    result = state.invoke_statement()
    bump(state.session, conference_ids)
    return result


def bump(session: Session, conference_ids: set[int]) -> None:
    """Move the revision of `conference_ids` on (and note them in `session.info["revised"]`,
    for what runs once the change is committed: the page store renders the new revision)."""
    if not conference_ids:
        return
    session.info.setdefault("revised", set()).update(conference_ids)
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
