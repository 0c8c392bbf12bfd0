"""Writes to push subscriptions."""

from __future__ import annotations

import hmac

from sqlalchemy import delete, select, update

from companion.db import session
from companion.errors import Conflict
from companion.notify.models import Delivery, Notification, PushSubscription


def save_subscription(user_id: int, endpoint: str, p256dh: str, auth: str) -> bool:
    """Store or refresh a device's subscription; True when it is new. An endpoint belongs to one
    browser: it moves to whoever is signed in there now only when the request carries the same
    keys (which only that browser knows); anyone else who merely learnt the URL is refused."""
    existing = session.execute(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint).with_for_update()
    ).scalar_one_or_none()
    if existing is None:
        session.add(PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=p256dh, auth=auth))
        session.flush()
        return True
    if existing.user_id != user_id and not (
        hmac.compare_digest(existing.p256dh, p256dh) and hmac.compare_digest(existing.auth, auth)
    ):
        raise Conflict(
            "This push endpoint belongs to another device's subscription. Turn notifications "
            "off and on again to get a new one."
        )
    existing.user_id, existing.p256dh, existing.auth = user_id, p256dh, auth
    session.flush()
    return False


def remove_subscription(user_id: int, endpoint: str) -> None:
    """Forget a device's subscription (only the user's own)."""
    session.execute(
        delete(PushSubscription).where(
            PushSubscription.user_id == user_id, PushSubscription.endpoint == endpoint
        )
    )


def move_subscriptions(from_user_id: int, to_user_id: int) -> None:
    """A guest's devices keep their notifications after signing in, and the alerts sent to the
    guest stay on the account's Alerts page."""
    session.execute(
        update(Delivery).where(Delivery.user_id == from_user_id).values(user_id=to_user_id)
    )
    # A reminder is the guest's own row: deleting the guest would take its deliveries with it.
    session.execute(
        update(Notification).where(Notification.user_id == from_user_id).values(user_id=to_user_id)
    )
    for subscription in session.execute(
        select(PushSubscription).where(PushSubscription.user_id == from_user_id)
    ).scalars():
        subscription.user_id = to_user_id
    session.flush()


def drop_subscriptions(user_id: int) -> None:
    """The devices of whoever had made an account that its address's owner now reclaims get no
    more of its notifications."""
    session.execute(delete(PushSubscription).where(PushSubscription.user_id == user_id))
