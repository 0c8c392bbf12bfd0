"""Change marks on cards and session pages ("Moved from Whittle", "New time, was 10:20", "Back
on"): what changed about a session in the 24 hours before the programme's latest change.

Pages are cached per revision, so "recent" is counted back from `Conference.updated_at` (which
moves with the revision), never from the clock; each mark carries the time of its change, and
static/js/now.js hides the marks that are older than a day by the device's clock.

`programme` imports no other feature, so the hosting feature, which keeps the audit log, registers
the lookup (as the venue registers room maps in `places`). Without it pages show no marks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app

from companion.programme.models import Conference, Talk

#: How far back from the programme's latest change a change still earns a mark.
RECENT = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Mark:
    """One thing that changed: `kind` is "moved" (from `room`), "placed" (now in `room`, which
    had none), "retimed" (was `was_start`–`was_end`) or "back-on" (no longer cancelled)."""

    kind: str
    changed_at: datetime
    room: str | None = None
    was_start: datetime | None = None
    was_end: datetime | None = None
    #: Retimed onto another programme day: the mark names the day it was on.
    other_day: bool = False
    #: Only the end moved: the mark shows the whole old range.
    end_only: bool = False


@dataclass(frozen=True, slots=True)
class TalkMarks:
    """A session's marks, and what it was a day before the latest change (live-page.js compares
    later changes with that, so that its marks say the same net change)."""

    marks: tuple[Mark, ...]
    was_start: datetime
    was_end: datetime
    was_room: str | None
    was_cancelled: bool


#: Marks of the given talks of a conference, by guid (talks without any are left out).
MarksLookup = Callable[[Conference, Sequence[Talk]], dict[str, TalkMarks]]

_KEY = "companion.change_marks"


def register(app: Flask, lookup: MarksLookup) -> None:
    """Let `lookup` find the change marks of the sessions a page shows."""
    app.extensions[_KEY] = lookup


def marks_for(conference: Conference, talks: Sequence[Talk]) -> dict[str, TalkMarks]:
    """The marks of `talks` (with their rooms loaded), by guid: one query, or none."""
    lookup: MarksLookup | None = current_app.extensions.get(_KEY)
    if lookup is None or not talks:
        return {}
    return lookup(conference, talks)
