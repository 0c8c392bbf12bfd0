"""The notification worker: plan reminders, close debounced change alerts, fan out, then claim
due deliveries, push them concurrently over pooled connections, and record what happened.

Claims are leases: a delivery is taken for PUSH_LEASE_SECONDS and its attempt counted before
anything is sent; a worker killed mid-batch leaves its claims to expire, and another worker sends
them. The only possible repeat is a message whose send raced the crash; it carries the same Topic
and tag, so the push service and the phone collapse it. On PostgreSQL claims use FOR UPDATE SKIP
LOCKED, so any number of workers on any number of machines share the work without taking the same
delivery.
"""

from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from companion import clock
from companion.db import get_database_of
from companion.notify import planner, push
from companion.notify.endpoints import SendGuard
from companion.notify.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationKind,
    PushSubscription,
)

log = logging.getLogger(__name__)

#: Backoff: BASE · 2^(attempt−1), ±25 % jitter, at most CAP.
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery taken by this worker, with what sending it needs."""

    delivery_id: int
    attempts: int
    message: push.Message | None
    expired: bool


def backoff(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter for the given attempt number (1-based)."""
    base = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    return base * (rng or random).uniform(0.75, 1.25)


class Worker:
    """One worker process (or thread); `run_once` is one full cycle."""

    def __init__(
        self,
        app: Flask,
        *,
        concurrency: int = 16,
        batch: int = 200,
        max_attempts: int = 8,
        timeout: float = 10.0,
    ) -> None:
        self.app = app
        self.concurrency = concurrency
        self.batch = batch
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.sessionmaker = get_database_of(app).sessionmaker
        self.lease = timedelta(seconds=app.config["PUSH_LEASE_SECONDS"])
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="push")
        self.guard = SendGuard(
            app.config["PUSH_SERVICE_HOSTS"], allow_http=app.config["PUSH_ALLOW_HTTP"]
        )

    def plan(self, now: datetime) -> None:
        """Reminders, closed change alerts, fan-out: one transaction."""
        with self.app.test_request_context(base_url=self.app.config["PUBLIC_URL"]):
            session = self.sessionmaker()
            try:
                planner.plan_reminders(session, now=now)
                planner.close_due_changes(session, now=now)
                planner.fan_out(session, now=now)
                session.commit()
            finally:
                session.close()

    def claim(self, now: datetime) -> list[Claimed]:
        """Take up to `batch` due deliveries for the lease (committed before anything is sent)."""
        with self.sessionmaker() as session:
            picked = (
                select(Delivery.id)
                .where(
                    Delivery.status == DeliveryStatus.PENDING.value,
                    Delivery.next_attempt_at <= now,
                    or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
                )
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(self.batch)
            )
            if session.get_bind().dialect.name == "postgresql":
                picked = picked.with_for_update(skip_locked=True)
            ids = list(
                session.execute(
                    update(Delivery)
                    .where(Delivery.id.in_(picked.scalar_subquery()))
                    .values(claimed_until=now + self.lease, attempts=Delivery.attempts + 1)
                    .returning(Delivery.id)
                    .execution_options(synchronize_session=False)
                ).scalars()
            )
            session.commit()
            return self._load(session, ids, now) if ids else []

    def _load(self, session: Session, ids: list[int], now: datetime) -> list[Claimed]:
        rows = session.execute(
            select(Delivery, Notification, PushSubscription)
            .join(Notification, Notification.id == Delivery.notification_id)
            .outerjoin(PushSubscription, PushSubscription.id == Delivery.subscription_id)
            .where(Delivery.id.in_(ids))
        ).all()
        claimed = []
        for delivery, notification, subscription in rows:
            expired = notification.expires_at is not None and notification.expires_at <= now
            message = None
            if subscription is not None and not expired:
                change = notification.kind == NotificationKind.CHANGE.value
                ttl = (
                    int((notification.expires_at - now).total_seconds())
                    if notification.expires_at
                    else 24 * 3600
                )
                message = push.Message(
                    endpoint=subscription.endpoint,
                    p256dh=subscription.p256dh,
                    auth=subscription.auth,
                    payload={
                        "id": notification.id,
                        "title": notification.title,
                        "body": notification.body,
                        "url": notification.url,
                        "tag": f"session-{notification.talk_id}",
                        "kind": notification.kind,
                    },
                    ttl=max(ttl, 0),
                    urgency="high" if change else "normal",
                    topic=f"{'c' if change else 'r'}{notification.talk_id}",
                )
            claimed.append(Claimed(delivery.id, delivery.attempts, message, expired))
        return claimed

    def send(self, claimed: list[Claimed]) -> list[tuple[Claimed, push.Outcome]]:
        """Push every claimed delivery, `concurrency` at a time."""
        vapid = self.app.extensions["companion.vapid"]
        subject = self.app.config["VAPID_SUBJECT"]

        def one(item: Claimed) -> tuple[Claimed, push.Outcome]:
            if item.expired:
                return item, push.Outcome("failed", error="the session started before it was sent")
            if item.message is None:
                return item, push.Outcome("gone", error="the subscription was removed")
            if not self.guard.may_send(item.message.endpoint):
                return item, push.Outcome(
                    "gone", error="the endpoint is not on a push service this app sends to"
                )
            return item, push.send(
                item.message,
                vapid=vapid,
                subject=subject,
                timeout=self.timeout,
                pool=self.concurrency,
            )

        return list(self.pool.map(one, claimed))

    def record(self, results: list[tuple[Claimed, push.Outcome]], now: datetime) -> None:
        """Write every outcome; remove subscriptions the push service says are gone."""
        with self.sessionmaker() as session:
            gone_subscriptions: set[int] = set()
            for item, outcome in results:
                delivery = session.get(Delivery, item.delivery_id)
                if delivery is None:
                    continue
                delivery.claimed_until = None
                delivery.last_error = outcome.error
                if outcome.result == "sent":
                    delivery.status, delivery.sent_at = DeliveryStatus.SENT.value, now
                elif outcome.result == "gone":
                    delivery.status = DeliveryStatus.GONE.value
                    if delivery.subscription_id is not None:
                        gone_subscriptions.add(delivery.subscription_id)
                elif outcome.result == "retry" and item.attempts < self.max_attempts:
                    wait = backoff(item.attempts)
                    if outcome.retry_after is not None:
                        wait = max(wait, timedelta(seconds=outcome.retry_after))
                    delivery.next_attempt_at = now + wait
                else:
                    delivery.status = DeliveryStatus.FAILED.value
            for subscription_id in gone_subscriptions:
                subscription = session.get(PushSubscription, subscription_id)
                if subscription is not None:
                    session.delete(subscription)
            session.commit()

    def run_once(self) -> int:
        """One cycle; returns how many deliveries it handled."""
        with self.app.app_context():
            now = clock.now()
        self.plan(now)
        claimed = self.claim(now)
        if not claimed:
            return 0
        results = self.send(claimed)
        with self.app.app_context():
            self.record(results, clock.now())
        return len(claimed)

    def run_forever(self, stop: threading.Event, *, idle: float = 1.0) -> None:
        """Cycle until `stop` is set; sleeps only when there was nothing to do."""
        while not stop.is_set():
            try:
                handled = self.run_once()
            except Exception:  # keep the worker alive; the next cycle retries
                log.exception("notification cycle failed")
                handled = 0
            if not handled:
                stop.wait(idle)
