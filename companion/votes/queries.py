"""Reads of votes: a person's own cards (to show which they dropped), and the results a track
host reads in the evening (counts, shares, comments), in three queries whatever the size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, select

from companion.accounts.models import User
from companion.db import session
from companion.programme.models import Conference, Talk, TalkKind
from companion.programme.queries import talk_cards
from companion.votes.models import Colour, Vote


def my_votes(user_id: int | None, conference_id: int) -> dict[str, dict[str, str | None]]:
    """The user's cards in a conference, by session guid: `{"vote": colour, "comment": …}`."""
    if user_id is None:
        return {}
    rows = session.execute(
        select(Talk.guid, Vote.colour, Vote.comment)
        .join(Talk, Talk.id == Vote.talk_id)
        .where(Vote.user_id == user_id, Talk.conference_id == conference_id)
    ).all()
    return {guid: {"vote": colour, "comment": comment} for guid, colour, comment in rows}


@dataclass(slots=True)
class Comment:
    """A comment left with a card."""

    colour: str
    text: str


@dataclass(slots=True)
class Result:
    """The cards dropped for one session."""

    talk: Talk
    counts: dict[str, int] = field(default_factory=lambda: {c.value: 0 for c in Colour})
    #: Cards from guests made after the session started: someone clearing cookies to vote again
    #: shows up here, so the host can weigh them.
    new_guests: int = 0
    comments: list[Comment] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Every card dropped."""
        return sum(self.counts.values())

    def share(self, colour: str) -> int:
        """The colour's share of the cards, in whole percent (0 with no cards)."""
        return round(100 * self.counts[colour] / self.total) if self.total else 0


def results(
    conference: Conference, *, track_ids: Collection[int] | None, day: date | None
) -> list[Result]:
    """Every session (no breaks) of the conference, or of `track_ids`, on `day` or all days, in
    time order, with its cards."""
    talks = select(Talk.id).where(Talk.conference_id == conference.id, Talk.kind != TalkKind.BREAK)
    if track_ids is not None:
        talks = talks.where(Talk.track_id.in_(track_ids))
    if day is not None:
        start, end = conference.day_bounds(day)
        talks = talks.where(Talk.start >= start, Talk.start < end)
    found = {
        talk.id: Result(talk)
        for talk in session.execute(
            talk_cards().where(Talk.id.in_(talks)).order_by(Talk.start, Talk.id)
        ).scalars()
    }
    if not found:
        return []
    new_guest = and_(User.email.is_(None), User.created_at > Talk.start)
    counted = session.execute(
        select(Vote.talk_id, Vote.colour, new_guest, func.count())
        .join(User, User.id == Vote.user_id)
        .join(Talk, Talk.id == Vote.talk_id)
        .where(Vote.talk_id.in_(talks))
        .group_by(Vote.talk_id, Vote.colour, new_guest)
    ).all()
    for talk_id, colour, is_new_guest, count in counted:
        found[talk_id].counts[colour] += count
        if is_new_guest:
            found[talk_id].new_guests += count
    comments: dict[int, list[Comment]] = defaultdict(list)
    for talk_id, colour, text in session.execute(
        select(Vote.talk_id, Vote.colour, Vote.comment)
        .where(Vote.talk_id.in_(talks), Vote.comment.is_not(None))
        .order_by(Vote.updated_at, Vote.user_id)
    ):
        comments[talk_id].append(Comment(colour, text or ""))
    for talk_id, listed in comments.items():
        found[talk_id].comments = listed
    return list(found.values())
