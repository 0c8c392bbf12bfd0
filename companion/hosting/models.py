"""The audit log: who changed which field of which session, when, from what to what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from companion.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    """One changed field (or a whole session created, cancelled, restored or deleted; or a
    track, room, floor, role or the conference changed by an organiser). Written in the same
    transaction as the change; the public changelog is built from the session rows."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_conference_at", "conference_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    #: "session", or what else an organiser changed: "conference", "track", "room", "floor" or
    #: "role". The public changelog shows sessions only.
    subject: Mapped[str] = mapped_column(String(16), default="session", server_default="session")
    #: Kept after a delete (SET NULL): the log outlives the session.
    talk_id: Mapped[int | None] = mapped_column(ForeignKey("talks.id", ondelete="SET NULL"))
    #: The session's guid (None for other subjects).
    talk_guid: Mapped[str | None] = mapped_column(String(36))
    #: The session's title, or the other subject's name, as it was at the time.
    talk_title: Mapped[str] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: "update", "create", "cancel", "restore" or "delete".
    action: Mapped[str] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(32))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
