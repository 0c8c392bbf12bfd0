"""Pure functions over lists of talks: now & next, days, phases. No queries here (the day's
room × time table is grid.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from companion.programme.models import Conference, Talk


@dataclass(slots=True)
class NowNext:
    """What is on now and what starts next, as an attendee between sessions wants to know."""

    now: list[Talk]
    next: list[Talk]

    @property
    def next_start(self) -> datetime | None:
        """When the next slot starts."""
        return self.next[0].start if self.next else None


def now_and_next(talks: Iterable[Talk], at: datetime) -> NowNext:
    """Talks running at `at`, and every talk of the earliest start after `at` (cancelled kept)."""
    ordered = sorted(talks, key=lambda t: (t.start, t.end, t.id))
    running = [t for t in ordered if t.start <= at < t.end]
    upcoming = [t for t in ordered if t.start > at]
    following = [t for t in upcoming if t.start == upcoming[0].start] if upcoming else []
    return NowNext(now=running, next=following)


def by_day(conference: Conference, talks: Iterable[Talk]) -> list[tuple[date, list[Talk]]]:
    """Time-ordered talks by programme day: every day of the conference, even one with none."""
    grouped: dict[date, list[Talk]] = {day: [] for day in conference.days}
    for talk in talks:
        grouped.setdefault(conference.day_of(talk.start), []).append(talk)
    return sorted(grouped.items())


def display_day(conference: Conference, at: datetime) -> date:
    """The day to open by default: today during the conference, else the nearest (as now.js)."""
    today = conference.day_of(at)
    return min(max(today, conference.start_date), conference.end_date)


def conference_phase(conference: Conference, at: datetime) -> str:
    """ "before", "during" or "after" the conference, at `at`."""
    first_start, _ = conference.day_bounds(conference.start_date)
    _, last_end = conference.day_bounds(conference.end_date)
    if at < first_start:
        return "before"
    return "during" if at < last_end else "after"
