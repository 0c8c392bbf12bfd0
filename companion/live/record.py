"""Every committed programme change becomes a live event, in the transaction of the change.

Two session listeners (registered by `companion.live.init_app`) see every write path, as the
revision's own listeners do (`companion.programme.revision`): `after_flush` notes which sessions
(model `Talk`) were added, removed, moved, retimed, retitled or cancelled, with what they were
before the transaction; `before_commit` writes one "change" event per conference whose revision
moved, with each noted session as it is now. The page store adds a "pages" event when it has
rendered a revision (`publish`).

Events are written under one lock, last in their transaction, so ids increase in commit order and
a stream that has sent id N has sent every event before it (PostgreSQL: a transaction-level
advisory lock, and NOTIFY on commit; SQLite: one writer at a time anyway).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import delete, inspect, select, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from companion.config import Config
from companion.db import utcnow
from companion.live.models import LiveEvent
from companion.programme import revision
from companion.programme.links import Link
from companion.programme.models import Conference, Floor, Room, Talk, TalkStatus

#: The session fields whose change a page shows at once (the rest: "details").
WATCHED = ("start", "end", "room_id", "status", "title")
#: Sessions an event describes one by one; past it, `more` counts the others.
MAX_SESSIONS = 50
#: PostgreSQL's NOTIFY channel, and the advisory lock key that orders the events.
CHANNEL = "live_events"
LOCK_KEY = 0x11FE_E7E5
#: Prune old events once in this many.
PRUNE_EVERY = 500
#: Columns every save moves (optimistic locking, stamps): not news of their own.
BOOKKEEPING = ("version", "updated_at", "created_at")
_PENDING = "live_talks"
_OTHER = "live_other"


@dataclass(slots=True)
class Noted:
    """A session this transaction changed: what it was before the first change."""

    talk_id: int
    guid: str
    conference_id: int
    state: str  # "changed", "added" or "removed"
    was: dict[str, Any] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)


def after_flush(session: Session, _context: Any) -> None:
    """Note the sessions this flush added, removed or changed (their first baseline wins)."""
    noted: dict[int, Noted] = session.info.setdefault(_PENDING, {})
    for obj in session.new:
        if isinstance(obj, Talk):
            noted.setdefault(obj.id, Noted(obj.id, obj.guid, obj.conference_id, "added"))
    for obj in session.deleted:
        if isinstance(obj, Talk):
            entry = noted.setdefault(obj.id, Noted(obj.id, obj.guid, obj.conference_id, "removed"))
            entry.state = "removed"
            entry.was.setdefault("title", obj.title)
    watched = revision.watched_models()
    for obj in chain(session.new, session.dirty, session.deleted):
        changed = obj not in session.dirty or session.is_modified(obj)
        if isinstance(obj, Link) and obj.talk_id is not None:
            continue  # a session's link: the session itself is noted ("details")
        if not isinstance(obj, Talk) and type(obj) in watched and changed:
            session.info[_OTHER] = True  # a room, track, speaker… : not one session's news
    for obj in session.dirty:
        if not isinstance(obj, Talk) or not session.is_modified(obj):
            continue
        entry = noted.setdefault(obj.id, Noted(obj.id, obj.guid, obj.conference_id, "changed"))
        state = inspect(obj)
        touched = False
        for name in WATCHED:
            history = state.attrs[name].history
            if history.has_changes() and history.deleted:
                entry.was.setdefault(name, history.deleted[0])
                touched = True
        others = any(
            state.attrs[key].history.has_changes()
            for key in state.mapper.column_attrs.keys()  # noqa: SIM118 - a view, not a dict
            if key not in WATCHED and key not in BOOKKEEPING
        )
        if others or not touched:  # an abstract, a kind, the speakers…
            entry.changed.add("details")


def after_statement(state: ORMExecuteState) -> None:
    """A bulk UPDATE or DELETE of programme rows names no session: the programme changed."""
    mapper = state.bind_mapper
    if (
        (state.is_update or state.is_delete)
        and mapper
        and mapper.class_ in revision.watched_models()
    ):
        state.session.info[_OTHER] = True


def before_commit(session: Session) -> None:
    """Write one change event per conference whose revision this transaction moved."""
    session.flush()  # commit flushes after this listener: the last changes must be seen first
    revised: set[int] = set(session.info.get("revised", ()))
    noted: dict[int, Noted] = session.info.pop(_PENDING, {})
    other = session.info.pop(_OTHER, False)
    if not revised:
        return
    conferences = session.execute(select(Conference).where(Conference.id.in_(revised))).scalars()
    for conference in sorted(conferences, key=lambda c: c.id):
        mine = [n for n in noted.values() if n.conference_id == conference.id]
        data = change_data(session, conference, mine, other=other)
        publish(session, conference.id, "change", conference.revision, data)


def forget(session: Session, previous: SessionTransaction) -> None:
    """A rolled-back transaction changed nothing (a savepoint rolled back inside one leaves what
    the transaction noted before it: the outer changes still commit)."""
    if previous.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_OTHER, None)


@dataclass(frozen=True, slots=True)
class _Current:
    """A session's fields as committed now (read as columns: the objects the request holds
    keep whatever relationships it loaded)."""

    guid: str
    title: str
    start: datetime
    end: datetime
    status: str
    room_id: int | None


def change_data(
    session: Session, conference: Conference, noted: list[Noted], *, other: bool = False
) -> dict[str, Any]:
    """The data of a change event: each noted session as it is now, and what it was (`other`:
    the transaction changed more than sessions: the event says the programme changed)."""
    shown = sorted(noted, key=lambda n: n.talk_id)[:MAX_SESSIONS]
    ids = [n.talk_id for n in shown]
    current = {
        row[0]: _Current(*row[1:])
        for row in session.execute(
            select(
                Talk.id, Talk.guid, Talk.title, Talk.start, Talk.end, Talk.status, Talk.room_id
            ).where(Talk.id.in_(ids))
        )
    }
    room_ids = {c.room_id for c in current.values()} | {n.was.get("room_id") for n in shown}
    rooms = {
        room_id: (slug, name, f"{name} · {floor}" if floor else name)
        for room_id, slug, name, floor in session.execute(
            select(Room.id, Room.slug, Room.name, Floor.name)
            .outerjoin(Floor, Floor.id == Room.floor_id)
            .where(Room.id.in_({r for r in room_ids if r}))
        )
    }
    for n in shown:
        if n.state == "removed" and n.talk_id in current:  # deleted in a savepoint undone
            n.state = "changed"
    sessions = [
        _session_data(conference, n, current.get(n.talk_id), rooms)
        for n in shown
        if n.state == "removed" or n.talk_id in current
    ]
    sessions = [s for s in sessions if s["state"] != "changed" or s["changed"]]
    data: dict[str, Any] = {
        "conference": conference.slug,
        "revision": conference.revision,
        "sessions": sessions,
        "more": max(0, len(noted) - MAX_SESSIONS),
    }
    if other or not noted:
        data["what"] = "programme"
    return data


#: Room id → (slug, name, label with its floor).
Rooms = dict[int, tuple[str, str, str]]


def _session_data(
    conference: Conference, noted: Noted, talk: _Current | None, rooms: Rooms
) -> dict[str, Any]:
    slug = conference.slug
    data: dict[str, Any] = {"guid": noted.guid, "state": noted.state}
    if talk is None:  # removed
        data.update(title=noted.was.get("title", ""), changed=[], was={})
        return data
    was = noted.was
    changed = sorted(
        {"room" if name == "room_id" else "cancelled" if name == "status" else name for name in was}
        | noted.changed
    )
    if noted.state == "changed":
        changed = [
            name
            for name in changed
            if name == "details" or _field(_watched(talk), name, rooms) != _field(was, name, rooms)
        ]
    room = rooms.get(talk.room_id or 0)
    data.update(
        title=talk.title,
        url=f"/{slug}/sessions/{talk.guid}/",
        start=talk.start.isoformat(),
        end=talk.end.isoformat(),
        day=conference.day_of(talk.start).isoformat(),
        room=None
        if room is None
        else {
            "slug": room[0],
            "name": room[1],
            "label": room[2],
            "url": f"/{slug}/rooms/{room[0]}/",
        },
        cancelled=talk.status == TalkStatus.CANCELLED,
        changed=changed,
        was={name: _field(was, name, rooms) for name in changed if name != "details"},
    )
    return data


def _watched(talk: _Current) -> dict[str, Any]:
    """The watched fields of a session as `Noted.was` holds them."""
    return {name: getattr(talk, name) for name in WATCHED}


def _field(values: dict[str, Any], name: str, rooms: Rooms) -> Any:
    """A field as an event shows it: the room by its name, the status as "cancelled"."""
    if name == "room":
        room = rooms.get(values.get("room_id") or 0)
        return room[1] if room else None
    if name == "cancelled":
        return values.get("status") == TalkStatus.CANCELLED
    value = values.get(name)
    return value.isoformat() if isinstance(value, datetime) else value


def publish(
    session: Session, conference_id: int, kind: str, revision: int, data: dict[str, Any]
) -> None:
    """Add an event to this transaction, to be streamed once it commits (operations flush; the
    caller commits)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    event = LiveEvent(conference_id=conference_id, kind=kind, revision=revision, data=data)
    session.add(event)
    session.flush()
    if postgres:
        session.execute(
            text("SELECT pg_notify(:channel, :id)"), {"channel": CHANNEL, "id": str(event.id)}
        )
    if event.id % PRUNE_EVERY == 0:
        prune(session)


def prune(session: Session) -> int:
    """Delete the events older than LIVE_KEEP_DAYS (a client that resumes from one of them gets
    a reset instead). Returns how many."""
    days = current_app.config["LIVE_KEEP_DAYS"] if has_app_context() else Config.LIVE_KEEP_DAYS
    cutoff = utcnow() - timedelta(days=days)
    result = session.execute(delete(LiveEvent).where(LiveEvent.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
