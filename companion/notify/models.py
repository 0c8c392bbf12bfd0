"""The notification outbox: what to tell whom, and one delivery row per push subscription."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from companion.db import Base, UTCDateTime, utcnow


class PushSubscription(Base):
    """One browser's push endpoint for one user (a user may have several devices)."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (Index("ix_push_subscriptions_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationKind(StrEnum):
    """Reminders go to one user; change alerts to everyone who starred the session."""

    REMINDER = "reminder"
    CHANGE = "change"


class NotificationState(StrEnum):
    """`open`: a change alert still collecting edits (debounce); `due`: ready to fan out;
    `fanned_out`: its deliveries exist."""

    OPEN = "open"
    DUE = "due"
    FANNED_OUT = "fanned_out"


class Notification(Base):
    """A message to send: a reminder (one user) or a change alert (every user who starred)."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("kind IN ('reminder', 'change')", name="kind_known"),
        CheckConstraint("state IN ('open', 'due', 'fanned_out')", name="state_known"),
        Index("ix_notifications_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique per (reminder, session, user, start) or per open change alert of a session:
    #: planning twice never makes two.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Push TTL: a reminder is worthless once the session has started.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(500))
    #: The session as it was before the first edit of a debounce window (change alerts).
    baseline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DeliveryStatus(StrEnum):
    """Where one push to one subscription stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    GONE = "gone"


class Delivery(Base):
    """One notification to one subscription; claimed by a worker for a short lease."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "subscription_id"),
        CheckConstraint("status IN ('pending', 'sent', 'failed', 'gone')", name="status_known"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_user_sent", "user_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="SET NULL")
    )
    #: Whom it was for: the person's Alerts page lists what was sent to them, and must still do
    #: so after the device's subscription is gone (turned off, or refused by the push service).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: A worker owns the delivery until then; after a crash another worker takes it over.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
