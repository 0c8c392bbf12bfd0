"""Pure functions over a user's starred talks: clashes, free time, now & next for me."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from companion.programme.models import Talk


def overlaps(a: Talk, b: Talk) -> bool:
    """True when two talks run at the same time for a moment (touching ends do not count)."""
    return a.start < b.end and b.start < a.end


def clashes(talks: Sequence[Talk]) -> list[list[Talk]]:
    """Groups of starred talks that overlap one another (chains count as one group), in time
    order; cancelled talks clash with nothing."""
    live = sorted((t for t in talks if not t.cancelled), key=lambda t: (t.start, t.end, t.id))
    groups: list[list[Talk]] = []
    current: list[Talk] = []
    current_end: datetime | None = None
    for talk in live:
        if current and current_end is not None and talk.start < current_end:
            current.append(talk)
            current_end = max(current_end, talk.end)
        else:
            if len(current) > 1:
                groups.append(current)
            current, current_end = [talk], talk.end
    if len(current) > 1:
        groups.append(current)
    return groups


@dataclass(frozen=True, slots=True)
class Gap:
    """Free time between two starred talks on the same day."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        """How long the gap lasts."""
        return self.end - self.start


def gaps(talks: Sequence[Talk], *, minimum: timedelta = timedelta(minutes=5)) -> dict[int, Gap]:
    """Free time before each starred talk (by talk id) since the previous one ended, when both
    are on the same day (a gap of 8 hours or more is a night, not free time)."""
    live = sorted((t for t in talks if not t.cancelled), key=lambda t: (t.start, t.end))
    found: dict[int, Gap] = {}
    latest_end: datetime | None = None
    for talk in live:
        if latest_end is not None and minimum <= talk.start - latest_end < timedelta(hours=8):
            found[talk.id] = Gap(latest_end, talk.start)
        latest_end = talk.end if latest_end is None else max(latest_end, talk.end)
    return found
