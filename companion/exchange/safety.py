"""The safety net of an import into a conference that has a programme already: the diff's
summary (counts, dates before → after) and the warnings that make applying it need an explicit
confirmation (the upload page's checkbox, the CLI's --accept-warnings) — a file that looks like
another conference's, one that would cancel more than a small share of the sessions, or one
that would widen the dates by more than a few days (DebConf23's file into QCon cancelled 148 of
149 sessions and stretched three days to three months)."""

from __future__ import annotations

from datetime import date, timedelta

from companion.exchange.convert import slugify
from companion.exchange.model import ParsedSchedule, guid_key, name_key
from companion.exchange.plan import ImportPlan
from companion.programme.models import TalkStatus

#: Cancelling more than this share of the scheduled sessions (and more than CANCEL_FLOOR) warns.
CANCEL_SHARE = 0.10
#: A handful of cancellations never warns, whatever the programme's size.
CANCEL_FLOOR = 3
#: Widening the dates by more than this many days (either end) warns.
WIDEN_DAYS = 3


def review(plan: ImportPlan, schedule: ParsedSchedule) -> None:
    """Fill the plan's summary of dates, the days it adds, and its warnings."""
    diff = plan.diff
    start, end = plan.values["start_date"], plan.values["end_date"]
    assert isinstance(start, date) and isinstance(end, date)
    conference = plan.conference
    if conference is None:
        diff.dates = (None, _span(start, end))
        return
    before = (conference.start_date, conference.end_date)
    diff.dates = (_span(*before), _span(start, end))
    added = _added_days(before, (start, end))
    diff.added_days = added
    scheduled = [
        t
        for t in (plan.existing.talks if plan.existing else [])
        if t.status == TalkStatus.SCHEDULED.value
    ]
    if scheduled:
        _looks_like_another(plan, schedule, len(scheduled))
    cancelled = len(diff.cancelled_sessions)
    if cancelled > CANCEL_FLOOR and cancelled > CANCEL_SHARE * len(scheduled):
        diff.warnings.append(
            f"It would cancel {cancelled} of the {len(scheduled)} scheduled sessions, and "
            "every attendee who starred one of them is told."
        )
    widened = (before[0] - start).days + (end - before[1]).days
    if (before[0] - start).days > WIDEN_DAYS or (end - before[1]).days > WIDEN_DAYS:
        diff.warnings.append(
            f"It would widen the conference's dates ({_span(*before)}) to "
            f"{_span(start, end)}: {widened} more days."
        )


def _looks_like_another(plan: ImportPlan, schedule: ParsedSchedule, scheduled: int) -> None:
    conference = plan.conference
    assert conference is not None
    known = {guid_key(t.guid) for t in plan.existing.talks} if plan.existing else set()
    shared = sum(1 for t in plan.talks if guid_key(t.guid) in known)
    same_name = (
        bool(schedule.acronym) and slugify(schedule.acronym, fallback="") == conference.slug
    ) or (bool(schedule.title) and name_key(schedule.title) == name_key(conference.name))
    if shared == 0 and not same_name:
        named = schedule.title or schedule.acronym
        plan.diff.warnings.append(
            f"This file looks like another conference's: it is “{named}”"
            + (f" ({schedule.acronym})" if schedule.acronym and schedule.title else "")
            + f", and none of its {len(plan.talks)} sessions is one of this conference's "
            f"{scheduled}."
        )


def _span(start: date, end: date) -> str:
    """ "11–13 September 2023", "9 September – 3 December 2023", "30 December 2023 – 2 January
    2024" (or one date)."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def _added_days(before: tuple[date, date], after: tuple[date, date]) -> list[str]:
    """The dates the import adds, as ranges ("2023-09-10 to 2023-12-01 (83 days)")."""
    ranges = []
    if after[0] < before[0]:
        ranges.append((after[0], before[0] - timedelta(days=1)))
    if after[1] > before[1]:
        ranges.append((before[1] + timedelta(days=1), after[1]))
    return [
        f"{a} to {b} ({(b - a).days + 1} days)" if a != b else f"{a} (1 day)" for a, b in ranges
    ]
