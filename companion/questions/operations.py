"""Asking, upvoting and moderating questions. Each is one short transaction that also writes a
live event (kind "question") carrying the question as every screen shows it, so a new question
or vote reaches every open screen within a second without any of them asking the server again.
None of them moves the programme's revision."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from companion.accounts.models import User
from companion.accounts.permissions import Need, require
from companion.db import session
from companion.errors import CompanionError, Conflict, Invalid, NotFound
from companion.live.record import publish
from companion.parsing import has_controls
from companion.programme.models import Conference, Talk, TalkKind
from companion.questions.models import Question, QuestionState, QuestionVote

#: A question is a sentence or two, as on Slido or Sched.
MAX_TEXT = 280
#: At most this many questions per person in RATE_WINDOW (across sessions).
RATE_LIMIT = 3
RATE_WINDOW = timedelta(minutes=5)
MODERATORS_ONLY = "Only the track's hosts and organisers moderate its questions."


class TooManyQuestions(CompanionError):
    """A person asks faster than a room can read."""

    status = 429
    title = "Too many questions"


def check_on(conference: Conference, talk: Talk, now: datetime) -> None:
    """Nothing, if `talk` is on at `now` (questions and upvotes are taken then); else a
    Conflict that says why not."""
    if talk.kind == TalkKind.BREAK:
        raise Conflict("Breaks take no questions.")
    if talk.cancelled:
        raise Conflict("This session was cancelled.")
    if now < talk.start:
        local = conference.local(talk.start)
        raise Conflict(f"Questions open when the session starts, at {local:%H:%M}.")
    if now >= talk.end:
        raise Conflict("Questions closed when the session ended.")


def clean_text(raw: object) -> str:
    """A question as stored: one line of plain text; Invalid when it cannot be."""
    if not isinstance(raw, str):
        raise _invalid("Write the question as text.")
    if has_controls(raw.replace("\r", "")):
        raise _invalid("The question contains characters that cannot be used.")
    text = " ".join(raw.split())
    if not text:
        raise _invalid("Write your question first.")
    if len(text) > MAX_TEXT:
        raise _invalid(f"Keep the question to {MAX_TEXT} characters (this one has {len(text)}).")
    return text


def _invalid(message: str) -> Invalid:
    return Invalid(message, details={"fields": {"text": message}})


def public(question: Question, talk: Talk) -> dict[str, Any]:
    """The question as every screen shows it (never who asked); a hidden one only says so."""
    if question.state == QuestionState.HIDDEN:
        return {"id": question.id, "session": talk.guid, "state": question.state}
    return {
        "id": question.id,
        "session": talk.guid,
        "text": question.text,
        "votes": question.votes,
        "state": question.state,
        "pinned": question.pinned,
        "asked_at": question.created_at.isoformat(),
    }


def ask(user: User, conference: Conference, talk: Talk, text: str, *, now: datetime) -> Question:
    """Ask `text` during `talk`."""
    check_on(conference, talk, now)
    # A sliding window over the person's own questions (a fixed window would let 3 through at
    # its end and 3 more at the next one's start).
    recent = session.execute(
        select(func.count())
        .select_from(Question)
        .where(Question.user_id == user.id, Question.created_at > now - RATE_WINDOW)
    ).scalar_one()
    if recent >= RATE_LIMIT:
        minutes = int(RATE_WINDOW.total_seconds() // 60)
        raise TooManyQuestions(
            f"You asked {RATE_LIMIT} questions in {minutes} minutes: give the room a moment to "
            "read them, then ask again."
        )
    question = Question(
        talk_id=talk.id,
        conference_id=conference.id,
        user_id=user.id,
        text=text,
        state=QuestionState.OPEN.value,
        pinned=False,
        votes=0,
        created_at=now,
    )
    session.add(question)
    session.flush()
    _announce(conference, talk, question)
    return question


def upvote(
    user_id: int, conference: Conference, talk: Talk, question: Question, *, now: datetime
) -> bool:
    """Add the user's upvote (once); True when it is new."""
    check_on(conference, talk, now)
    _visible(question)
    if question.user_id == user_id:
        raise Conflict("This is your own question: others can upvote it.")
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgres_insert
    added = session.execute(
        insert(QuestionVote)
        .values(question_id=question.id, user_id=user_id, created_at=now)
        .on_conflict_do_nothing()
        .returning(QuestionVote.question_id)
    ).first()
    if added is not None:
        _recount(conference, talk, question, +1)
    return added is not None


def unvote(
    user_id: int, conference: Conference, talk: Talk, question: Question, *, now: datetime
) -> bool:
    """Take the user's upvote back; True when there was one."""
    check_on(conference, talk, now)
    _visible(question)
    result = session.execute(
        delete(QuestionVote).where(
            QuestionVote.question_id == question.id, QuestionVote.user_id == user_id
        )
    )
    removed = bool(result.rowcount)  # type: ignore[attr-defined]
    if removed:
        _recount(conference, talk, question, -1)
    return removed


def check_moderator(actor: User | None, conference: Conference, talk: Talk) -> None:
    """The session's track hosts and the organisers moderate; else 401/403."""
    require(actor, conference.id, Need.EDITOR, track_ids={talk.track_id}, refusal=MODERATORS_ONLY)


def moderate(
    actor: User | None,
    conference: Conference,
    talk: Talk,
    question: Question,
    *,
    state: QuestionState | None = None,
    pinned: bool | None = None,
) -> None:
    """Hide, mark answered, reopen, pin or unpin (the session's track hosts and organisers)."""
    check_moderator(actor, conference, talk)
    if state is not None:
        question.state = state.value
    if pinned is not None:
        question.pinned = pinned
    session.flush()
    _announce(conference, talk, question)


def _visible(question: Question) -> None:
    if question.state == QuestionState.HIDDEN:
        raise NotFound("This question was removed by the track's hosts.")


def _recount(conference: Conference, talk: Talk, question: Question, step: int) -> None:
    # In SQL, so two upvotes at one instant both count (no read-modify-write in Python).
    session.execute(
        update(Question).where(Question.id == question.id).values(votes=Question.votes + step)
    )
    session.refresh(question, ["votes"])
    _announce(conference, talk, question)


def _announce(conference: Conference, talk: Talk, question: Question) -> None:
    publish(session, conference.id, "question", conference.revision, public(question, talk))


def move_questions(from_user_id: int, to_user_id: int) -> None:
    """A guest signs in to an account: the guest's questions and upvotes join it (an upvote
    the account already has, or of the account's own question, is dropped)."""
    session.execute(
        update(Question).where(Question.user_id == from_user_id).values(user_id=to_user_id)
    )
    theirs = set(
        session.execute(
            select(QuestionVote.question_id).where(QuestionVote.user_id == to_user_id)
        ).scalars()
    )
    own = set(session.execute(select(Question.id).where(Question.user_id == to_user_id)).scalars())
    guests = select(QuestionVote).where(QuestionVote.user_id == from_user_id)
    for vote in list(session.execute(guests).scalars()):
        if vote.question_id in theirs or vote.question_id in own:
            session.execute(
                update(Question)
                .where(Question.id == vote.question_id)
                .values(votes=Question.votes - 1)
            )
        else:
            session.add(
                QuestionVote(
                    question_id=vote.question_id, user_id=to_user_id, created_at=vote.created_at
                )
            )
    session.execute(delete(QuestionVote).where(QuestionVote.user_id == from_user_id))
    # The account's own upvotes of questions it now owns (asked as the guest) go too.
    owned_now = select(Question.id).where(Question.user_id == to_user_id)
    for question_id in list(
        session.execute(
            select(QuestionVote.question_id).where(
                QuestionVote.user_id == to_user_id, QuestionVote.question_id.in_(owned_now)
            )
        ).scalars()
    ):
        session.execute(
            update(Question).where(Question.id == question_id).values(votes=Question.votes - 1)
        )
    session.execute(
        delete(QuestionVote).where(
            QuestionVote.user_id == to_user_id, QuestionVote.question_id.in_(owned_now)
        )
    )
    session.flush()
