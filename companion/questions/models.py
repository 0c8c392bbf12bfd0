"""Live questions: asked during a session, upvoted by others, moderated by the track's hosts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from companion.db import Base, UTCDateTime, utcnow


class QuestionState(StrEnum):
    """Where a question stands. A hidden question is gone from every screen but the hosts'."""

    OPEN = "open"
    ANSWERED = "answered"
    HIDDEN = "hidden"


class Question(Base):
    """One question to a session's speakers, in plain text."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("state in ('open', 'answered', 'hidden')", name="known_state"),
        Index("ix_questions_talk", "talk_id", "id"),
        Index("ix_questions_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"))
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    #: Who asked (never shown to others; a guest's questions join the account they sign in to).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(1000))
    state: Mapped[str] = mapped_column(String(16), default=QuestionState.OPEN.value)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    #: How many upvotes (kept with each vote, in the vote's transaction, for ordering).
    votes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuestionVote(Base):
    """One person's upvote of a question (the key makes it one per person)."""

    __tablename__ = "question_votes"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
