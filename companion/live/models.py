"""The live events: every committed change to a conference's programme, kept for replay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from companion.db import Base, UTCDateTime, utcnow


class LiveEvent(Base):
    """One event of the stream: `id` increases in commit order (events are written under one
    lock, last in their transaction), so "everything after id N" is exact for a client that
    resumes with `Last-Event-ID: N`."""

    __tablename__ = "live_events"
    # AUTOINCREMENT: SQLite never hands out an id again, even after the newest row is deleted.
    __table_args__ = (
        Index("ix_live_events_conference_id_id", "conference_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    #: "change" (the programme moved on) or "pages" (the page store rendered a revision).
    kind: Mapped[str] = mapped_column(String(16))
    #: The conference's revision after the change.
    revision: Mapped[int] = mapped_column(Integer)
    #: What the stream sends as the event's data (docs/live.md says what each kind holds).
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
