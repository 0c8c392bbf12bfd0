"""Reads of questions: a session's list as one person sees it, and loading one question with its
session (404 otherwise)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from companion.accounts.queries import powers
from companion.db import session
from companion.errors import NotFound
from companion.programme.models import Talk
from companion.questions.models import Question, QuestionState, QuestionVote
from companion.questions.operations import public

#: Pinned first, then open before answered, then most upvoted, then oldest.
_ORDER = (
    Question.pinned.desc(),
    case((Question.state == QuestionState.OPEN.value, 0), else_=1),
    Question.votes.desc(),
    Question.id,
)


def get_question_or_404(question_id: int) -> tuple[Question, Talk]:
    """A question and its session (with the session's conference)."""
    row = session.execute(
        select(Question, Talk)
        .join(Talk, Talk.id == Question.talk_id)
        .where(Question.id == question_id)
        .options(joinedload(Talk.conference))
    ).first()
    if row is None:
        raise NotFound("There is no such question.")
    return row[0], row[1]


def is_moderator(user_id: int | None, talk: Talk) -> bool:
    """True for the session's track hosts and the conference's organisers."""
    mine = powers(user_id, talk.conference_id)
    return mine.organiser or (talk.track_id is not None and talk.track_id in mine.hosted_track_ids)


def questions_of(talk: Talk, viewer_id: int | None, *, moderator: bool) -> list[dict[str, Any]]:
    """The session's questions, best first, as `viewer_id` sees them: each with `mine` and
    `voted`; hidden ones only for moderators (with their text, to restore one)."""
    statement = select(Question).where(Question.talk_id == talk.id).order_by(*_ORDER)
    if not moderator:
        statement = statement.where(Question.state != QuestionState.HIDDEN.value)
    found = list(session.execute(statement).scalars())
    voted: set[int] = set()
    if viewer_id is not None and found:
        voted = set(
            session.execute(
                select(QuestionVote.question_id).where(
                    QuestionVote.user_id == viewer_id,
                    QuestionVote.question_id.in_([q.id for q in found]),
                )
            ).scalars()
        )
    listed = []
    for question in found:
        shown = public(question, talk)
        if question.state == QuestionState.HIDDEN:  # moderators only
            shown.update(text=question.text, votes=question.votes, pinned=question.pinned)
        mine = viewer_id is not None and question.user_id == viewer_id
        shown.update(mine=mine, voted=question.id in voted)
        listed.append(shown)
    return listed
