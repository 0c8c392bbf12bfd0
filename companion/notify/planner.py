"""Planning what to send: reminders from the data, and the fan-out of due notifications into one
delivery per push subscription. Every step is idempotent (unique keys, INSERT … ON CONFLICT DO
NOTHING), so running it twice, or in two workers at once, never sends anything twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import url_for
from sqlalchemy import and_, delete, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload

from companion.accounts.models import User
from companion.agenda.models import Star
from companion.notify.models import (
    Delivery,
    Notification,
    NotificationKind,
    NotificationState,
    PushSubscription,
)
from companion.notify.outbox import snapshot
from companion.programme.models import Conference, Room, Talk, TalkStatus

#: Reminders are planned this far ahead (the longest lead time is 60 minutes).
HORIZON = timedelta(minutes=65)


def _insert(session: Session, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (sqlite_insert if dialect == "sqlite" else postgres_insert)(model)


def _when(talk: Talk, conference: Conference) -> str:
    local = conference.local(talk.start)
    return f"{local:%a} {local.day} {local:%H:%M}"


def _where(talk: Talk) -> str:
    return talk.room.label if talk.room else "room to be announced"


def reminder_key(talk_id: int, user_id: int, start: datetime) -> str:
    """One reminder per (session, user, start time): a moved session gets a new one."""
    return f"reminder:{talk_id}:{user_id}:{start.isoformat()}"


def plan_reminders(session: Session, *, now: datetime) -> int:
    """Queue a reminder for every star whose session starts within its owner's lead time, and
    withdraw unsent reminders for sessions that moved, were cancelled or unstarred."""
    rows = session.execute(
        select(Talk, User.id, User.reminder_minutes)
        .join(Star, Star.talk_id == Talk.id)
        .join(User, User.id == Star.user_id)
        .where(
            Talk.start > now,
            Talk.start <= now + HORIZON,
            Talk.status == TalkStatus.SCHEDULED.value,
            User.reminders_enabled.is_(True),
        )
        .options(joinedload(Talk.conference), joinedload(Talk.room).joinedload(Room.floor))
    ).all()
    wanted = []
    for talk, user_id, minutes in rows:
        due = talk.start - timedelta(minutes=minutes)
        if due > now:
            continue  # not yet: a later run plans it (and sees any move first)
        lead = max(int((talk.start - now).total_seconds() // 60), 0)
        wanted.append(
            {
                "key": reminder_key(talk.id, user_id, talk.start),
                "kind": NotificationKind.REMINDER.value,
                "talk_id": talk.id,
                "user_id": user_id,
                "state": NotificationState.DUE.value,
                "due_at": now,
                "expires_at": talk.start,
                "title": f"Starts in {lead} min: {talk.title}"
                if lead
                else f"Starting: {talk.title}",
                "body": f"{_where(talk)} · {_when(talk, talk.conference)}",
                "url": url_for("programme.session_page", conf=talk.conference.slug, guid=talk.guid),
                "created_at": now,
                "updated_at": now,
            }
        )
    created = 0
    for values in wanted:
        result = session.execute(
            _insert(session, Notification)
            .values(values)
            .on_conflict_do_nothing()
            .returning(Notification.id)
        )
        created += result.first() is not None
    _withdraw_stale_reminders(session, now=now)
    return created


def _withdraw_stale_reminders(session: Session, *, now: datetime) -> None:
    rows = session.execute(
        select(
            Notification.id,
            Notification.key,
            Notification.user_id,
            Talk.id.label("talk"),
            Talk.start.label("start"),
            Talk.status,
            Star.talk_id.label("starred"),
        )
        .join(Talk, Talk.id == Notification.talk_id)
        .outerjoin(
            Star, and_(Star.talk_id == Notification.talk_id, Star.user_id == Notification.user_id)
        )
        .where(Notification.kind == NotificationKind.REMINDER.value, Notification.expires_at > now)
    ).all()
    stale = [
        row.id
        for row in rows
        if row.key != reminder_key(row.talk, row.user_id or 0, row.start)
        or row.status == TalkStatus.CANCELLED.value
        or row.starred is None
    ]
    if stale:
        # Only what has not gone out yet: sent deliveries stay as the record.
        session.execute(
            delete(Delivery).where(
                Delivery.notification_id.in_(stale), Delivery.status == "pending"
            )
        )
        session.execute(
            delete(Notification).where(
                Notification.id.in_(stale),
                ~select(Delivery.id).where(Delivery.notification_id == Notification.id).exists(),
            )
        )


def describe_change(talk: Talk, baseline: dict[str, Any]) -> tuple[str, str] | None:
    """Title and body of a change alert from the session's final state, or None when the edits
    of the window cancelled each other out."""
    now_state = snapshot(
        {"start": talk.start, "end": talk.end, "room_id": talk.room_id, "status": talk.status}
    )
    if now_state == baseline:
        return None
    conference = talk.conference
    if talk.cancelled:
        return f"Cancelled: {talk.title}", f"It will not take place ({_when(talk, conference)})."
    parts = []
    if baseline["status"] != talk.status:
        parts.append("Back on the programme")
    if baseline["room_id"] != talk.room_id:
        parts.append(f"Moved to {_where(talk)}")
    if baseline["start"] != now_state["start"] or baseline["end"] != now_state["end"]:
        parts.append(f"now {_when(talk, conference)}")
    body = ", ".join(parts) or "Details changed"
    return f"Changed: {talk.title}", body[0].upper() + body[1:]


def close_due_changes(session: Session, *, now: datetime) -> int:
    """Turn change alerts whose window has closed into messages (or drop undone ones)."""
    closed = 0
    for notification in session.execute(
        select(Notification)
        .where(Notification.state == NotificationState.OPEN.value, Notification.due_at <= now)
        .with_for_update(skip_locked=True)
    ).scalars():
        talk = session.execute(
            select(Talk)
            .where(Talk.id == notification.talk_id)
            .options(joinedload(Talk.conference), joinedload(Talk.room).joinedload(Room.floor))
        ).scalar_one()
        text = describe_change(talk, notification.baseline or {})
        if text is None:
            session.delete(notification)
            continue
        notification.title, notification.body = text
        notification.url = url_for(
            "programme.session_page", conf=talk.conference.slug, guid=talk.guid
        )
        notification.key = f"change:{talk.id}:{notification.id}"
        notification.state = NotificationState.DUE.value
        closed += 1
    session.flush()
    return closed


def fan_out(session: Session, *, now: datetime) -> int:
    """One pending delivery per (due notification, subscription): reminders to their user's
    devices, change alerts to every device of everyone who starred the session."""
    created = 0
    for notification in session.execute(
        select(Notification)
        .where(Notification.state == NotificationState.DUE.value)
        .with_for_update(skip_locked=True)
    ).scalars():
        if notification.kind == NotificationKind.REMINDER.value:
            targets = select(PushSubscription.id, PushSubscription.user_id).where(
                PushSubscription.user_id == notification.user_id
            )
        else:
            targets = (
                select(PushSubscription.id, PushSubscription.user_id)
                .join(Star, Star.user_id == PushSubscription.user_id)
                .join(User, User.id == PushSubscription.user_id)
                .where(Star.talk_id == notification.talk_id, User.changes_enabled.is_(True))
            )
        ids = session.execute(targets).all()
        if ids:
            result = session.execute(
                _insert(session, Delivery)
                .values(
                    [
                        {
                            "notification_id": notification.id,
                            "subscription_id": sid,
                            "user_id": uid,
                            "status": "pending",
                            "attempts": 0,
                            "next_attempt_at": now,
                        }
                        for sid, uid in ids
                    ]
                )
                .on_conflict_do_nothing()
                .returning(Delivery.id)
            )
            created += len(result.all())
        notification.state = NotificationState.FANNED_OUT.value
    session.flush()
    return created
