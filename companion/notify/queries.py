"""Named reads for the notification health page."""

from __future__ import annotations

from sqlalchemy import func, select

from companion.db import session
from companion.notify.models import Delivery, Notification
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
