"""Stars: a user's personal schedule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.db import Base, UTCDateTime, utcnow
from companion.programme.models import Talk


class Star(Base):
    """A user's starred talk, with what the talk looked like when the user last saw it, so that a
    move, retime or cancellation since then can be flagged."""

    __tablename__ = "stars"
    __table_args__ = (Index("ix_stars_talk", "talk_id"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    talk_id: Mapped[int] = mapped_column(
        ForeignKey("talks.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_start: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_end: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_room_id: Mapped[int | None] = mapped_column()
    seen_status: Mapped[str] = mapped_column(String(16))

    talk: Mapped[Talk] = relationship(lazy="raise")

    def remember(self, talk: Talk) -> None:
        """Record the talk as the user sees it now."""
        self.seen_start, self.seen_end = talk.start, talk.end
        self.seen_room_id, self.seen_status = talk.room_id, talk.status

    @property
    def changes(self) -> list[str]:
        """What happened to the talk since the user last saw it: "cancelled", "moved", "retimed"."""
        talk = self.talk
        found = []
        if talk.status != self.seen_status:
            found.append("cancelled" if talk.cancelled else "restored")
        if talk.room_id != self.seen_room_id:
            found.append("moved")
        if (talk.start, talk.end) != (self.seen_start, self.seen_end):
            found.append("retimed")
        return found
