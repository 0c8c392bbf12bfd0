"""Casting and taking back a vote. A vote is one short statement: an INSERT … ON CONFLICT DO
UPDATE on (person, session), so a retry, a double tap or a second device of one account can only
change the one vote, never add another, and two racing writes cannot fail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from companion.db import session
from companion.errors import Conflict, Invalid, NotFound
from companion.parsing import has_controls
from companion.programme.models import Conference, Talk, TalkKind
from companion.votes.models import Colour, Vote

#: A comment is a line or two for the track host, not a review.
MAX_COMMENT = 280


@dataclass(frozen=True, slots=True)
class Window:
    """When a session's cards may be dropped or changed: from its start to the end of its
    programme day (the evening the track host reads them)."""

    opens: datetime
    closes: datetime


def window(conference: Conference, talk: Talk) -> Window:
    """The voting window of `talk`."""
    _, day_end = conference.day_bounds(conference.day_of(talk.start))
    return Window(opens=talk.start, closes=max(day_end, talk.end))


def check_open(conference: Conference, talk: Talk, now: datetime) -> Window:
    """The window, if `talk` takes votes at `now`; else a Conflict that says why not."""
    if talk.kind == TalkKind.BREAK:
        raise Conflict("Breaks take no votes.")
    if talk.cancelled:
        raise Conflict("This session was cancelled, so there is nothing to vote on.")
    span = window(conference, talk)
    if now < span.opens:
        local = conference.local(span.opens)
        raise Conflict(f"Voting opens when the session starts, at {local:%H:%M}.")
    if now >= span.closes:
        raise Conflict("Voting on this session closed at the end of its day.")
    return span


def clean_comment(raw: object) -> str | None:
    """A comment as stored: trimmed plain text, or None when empty; Invalid when it cannot be."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Invalid(
            "The comment must be text.",
            details={"fields": {"comment": "Write the comment as text."}},
        )
    text = raw.replace("\r\n", "\n").strip()
    if has_controls(text):
        message = "The comment contains characters that cannot be used."
        raise Invalid(message, details={"fields": {"comment": message}})
    if len(text) > MAX_COMMENT:
        message = f"Keep the comment to {MAX_COMMENT} characters (this one has {len(text)})."
        raise Invalid(message, details={"fields": {"comment": message}})
    return text or None


def parse_colour(raw: object) -> Colour:
    """The card named by `raw`; Invalid otherwise."""
    try:
        return Colour(str(raw)) if isinstance(raw, str) else Colour("")
    except ValueError:
        message = 'Choose a card: "green", "yellow" or "red".'
        raise Invalid(message, details={"fields": {"vote": message}}) from None


def cast(
    user_id: int,
    conference: Conference,
    talk: Talk,
    *,
    colour: Colour,
    comment: str | None,
    now: datetime,
) -> bool:
    """Drop (or change) the user's card for `talk`; True when it is their first for it."""
    check_open(conference, talk, now)
    existed = session.execute(
        select(Vote.talk_id).where(Vote.user_id == user_id, Vote.talk_id == talk.id)
    ).first()
    values = {
        "user_id": user_id,
        "talk_id": talk.id,
        "colour": colour.value,
        "comment": comment,
        "created_at": now,
        "updated_at": now,
    }
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgres_insert
    statement = insert(Vote).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[Vote.user_id, Vote.talk_id],
        set_={"colour": colour.value, "comment": comment, "updated_at": now},
    )
    try:
        session.execute(statement)
    except IntegrityError:
        # The session was deleted after it was read: the vote loses, as a star would.
        raise NotFound("This session was removed from the programme.") from None
    return existed is None


def withdraw(user_id: int, conference: Conference, talk: Talk, *, now: datetime) -> bool:
    """Take the user's card back while voting is open; True when there was one."""
    check_open(conference, talk, now)
    result = session.execute(delete(Vote).where(Vote.user_id == user_id, Vote.talk_id == talk.id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def move_votes(from_user_id: int, to_user_id: int) -> None:
    """A guest signs in to an account: the guest's cards join it. Where both voted on a session,
    the card changed last wins (one vote per person per session)."""
    theirs = {
        vote.talk_id: vote
        for vote in session.execute(select(Vote).where(Vote.user_id == to_user_id)).scalars()
    }
    for vote in session.execute(select(Vote).where(Vote.user_id == from_user_id)).scalars():
        kept = theirs.get(vote.talk_id)
        if kept is None:
            session.add(
                Vote(
                    user_id=to_user_id,
                    talk_id=vote.talk_id,
                    colour=vote.colour,
                    comment=vote.comment,
                    created_at=vote.created_at,
                    updated_at=vote.updated_at,
                )
            )
        elif vote.updated_at > kept.updated_at:
            kept.colour, kept.comment, kept.updated_at = vote.colour, vote.comment, vote.updated_at
    session.execute(delete(Vote).where(Vote.user_id == from_user_id))
    session.flush()
