"""Votes: QCon's three cards (green, yellow, red) dropped after a session, one per person."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from companion.db import Base, UTCDateTime, utcnow
from companion.programme.models import Talk


class Colour(StrEnum):
    """The three cards, best first."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


#: What each card means, as the room's cards say it.
MEANING = {Colour.GREEN: "Great", Colour.YELLOW: "OK", Colour.RED: "Not for me"}


class Vote(Base):
    """One person's card for one session. The primary key is the person and the session, so a
    retry, a double tap or a second device of one account changes the vote, never adds one."""

    __tablename__ = "votes"
    __table_args__ = (
        CheckConstraint("colour in ('green', 'yellow', 'red')", name="known_colour"),
        Index("ix_votes_talk", "talk_id"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    talk_id: Mapped[int] = mapped_column(
        ForeignKey("talks.id", ondelete="CASCADE"), primary_key=True
    )
    colour: Mapped[str] = mapped_column(String(8))
    #: Optional, plain text, at most `operations.MAX_COMMENT` characters; only hosts read it.
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    talk: Mapped[Talk] = relationship(lazy="raise")
