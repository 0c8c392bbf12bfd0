"""Named reads for the notification health page and the person's Alerts page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from companion.db import session
from companion.notify.models import Delivery, DeliveryStatus, Notification, PushSubscription
from companion.programme.models import Conference, Talk


def delivery_summary(conference: Conference) -> dict[str, int]:
    """Deliveries by status for a conference's notifications, plus those waiting to retry."""
    rows = session.execute(
        select(Delivery.status, func.count())
        .join(Notification, Notification.id == Delivery.notification_id)
        .join(Talk, Talk.id == Notification.talk_id)
        .where(Talk.conference_id == conference.id)
        .group_by(Delivery.status)
    ).all()
    summary = {"pending": 0, "sent": 0, "failed": 0, "gone": 0}
    summary.update({status: int(count) for status, count in rows})
    summary["retrying"] = int(
        session.execute(
            select(func.count())
            .select_from(Delivery)
            .join(Notification, Notification.id == Delivery.notification_id)
            .join(Talk, Talk.id == Notification.talk_id)
            .where(
                Talk.conference_id == conference.id,
                Delivery.status == "pending",
                Delivery.attempts > 0,
            )
        ).scalar_one()
    )
    return summary


def recent_errors(conference: Conference, *, limit: int = 20) -> list[tuple[str, str, int]]:
    """The latest delivery errors: (notification title, error, attempts)."""
    return [
        (title, error or "", attempts)
        for title, error, attempts in session.execute(
            select(Notification.title, Delivery.last_error, Delivery.attempts)
            .join(Notification, Notification.id == Delivery.notification_id)
            .join(Talk, Talk.id == Notification.talk_id)
            .where(Talk.conference_id == conference.id, Delivery.last_error.is_not(None))
            .order_by(Delivery.id.desc())
            .limit(limit)
        ).all()
    ]


@dataclass(frozen=True)
class Alert:
    """One notification as its reader got it: when it first reached one of their devices."""

    id: int
    kind: str
    title: str
    body: str
    url: str
    sent_at: datetime


def sent_to(user_id: int, conference: Conference, *, limit: int = 200) -> list[Alert]:
    """What was sent to one person about a conference's sessions, newest first (the Alerts
    page). Only deliveries a push service accepted count; one notification sent to several of
    their devices is one alert, at the time the first device got it."""
    first = func.min(Delivery.sent_at).label("first")
    rows = session.execute(
        select(
            Notification.id,
            Notification.kind,
            Notification.title,
            Notification.body,
            Notification.url,
            first,
        )
        .join(Delivery, Delivery.notification_id == Notification.id)
        .join(Talk, Talk.id == Notification.talk_id)
        .where(
            Delivery.user_id == user_id,
            Delivery.status == DeliveryStatus.SENT.value,
            Talk.conference_id == conference.id,
        )
        .group_by(Notification.id)
        .order_by(first.desc(), Notification.id.desc())
        .limit(limit)
    ).all()
    return [
        Alert(id=id_, kind=kind, title=title, body=body, url=url, sent_at=sent_at)
        for id_, kind, title, body, url, sent_at in rows
        if sent_at is not None  # a sent delivery always has its time
    ]


def has_devices(user_id: int) -> bool:
    """Whether notifications are on for at least one of the person's devices."""
    return (
        session.execute(
            select(PushSubscription.id).where(PushSubscription.user_id == user_id).limit(1)
        ).first()
        is not None
    )
