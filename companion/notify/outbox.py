"""Change alerts enter the outbox in the same transaction as the edit that causes them.

A flush listener (registered by `companion.notify.init_app`) watches every session (model `Talk`)
that is moved to another room, retimed or cancelled (or restored), whoever changes it — host
editor, API, importer, CLI — so no write path can forget it. Edits of one session within the
debounce window collect in one open alert whose baseline is the session before the first edit;
the message is written when the window closes, from the final state, and an edit undone within
the window sends nothing (`planner.fan_out`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from companion.config import Config
from companion.db import utcnow
from companion.notify.models import Notification, NotificationKind, NotificationState
from companion.programme.models import Talk

#: Fields whose change attendees must hear about.
WATCHED = ("start", "end", "room_id", "status")
#: The debounce window outside an app (config PUSH_DEBOUNCE_SECONDS inside one).
DEBOUNCE = timedelta(seconds=Config.PUSH_DEBOUNCE_SECONDS)


def snapshot(values: dict[str, Any]) -> dict[str, Any]:
    """The watched fields as JSON-friendly values."""
    return {
        "start": values["start"].isoformat(),
        "end": values["end"].isoformat(),
        "room_id": values["room_id"],
        "status": values["status"],
    }


def open_key(talk_id: int) -> str:
    """The key of a session's open change alert (at most one at a time)."""
    return f"change:{talk_id}:open"


def _settings() -> tuple[datetime, timedelta]:
    if has_app_context():
        from companion import clock

        seconds = current_app.config["PUSH_DEBOUNCE_SECONDS"]
        return clock.now(), timedelta(seconds=float(seconds))
    return utcnow(), DEBOUNCE


def before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Open a change alert for every session this flush moves, retimes or cancels."""
    changed: list[tuple[Talk, dict[str, Any]]] = []
    for obj in session.dirty:
        if not isinstance(obj, Talk) or obj.id is None:
            continue
        state = inspect(obj)
        before: dict[str, Any] = {}
        moved = False
        for name in WATCHED:
            history = state.attrs[name].history
            if history.has_changes() and history.deleted:
                before[name] = history.deleted[0]
                moved = moved or history.deleted[0] != getattr(obj, name)
            else:
                before[name] = getattr(obj, name)
        if moved:
            changed.append((obj, before))
    if not changed:
        return
    now, window = _settings()
    with session.no_autoflush:
        for talk, before in changed:
            record_change(session, talk.id, before, now=now, window=window, title=talk.title)


def record_change(
    session: Session,
    talk_id: int,
    before: dict[str, Any],
    *,
    now: datetime,
    window: timedelta,
    title: str,
) -> None:
    """Open a change alert for the session (or keep the one already open, with its baseline)."""
    existing = session.execute(
        select(Notification).where(Notification.key == open_key(talk_id))
    ).scalar_one_or_none()
    if existing is not None:
        return  # the window's baseline stays the state before the first edit
    session.add(
        Notification(
            key=open_key(talk_id),
            kind=NotificationKind.CHANGE.value,
            talk_id=talk_id,
            state=NotificationState.OPEN.value,
            due_at=now + window,
            title=title,
            body="",
            url="",
            baseline=snapshot(before),
        )
    )
