"""My schedule as one plan: stars by day, clashes and their alternatives, free time, changes, and
now & next for me. Three queries at most, whatever the number of stars."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from companion.agenda import clashes as clash_rules
from companion.agenda.clashes import Gap
from companion.agenda.models import Star
from companion.agenda.queries import stars_in, talks_starting_at
from companion.api.programme_json import talk_data
from companion.programme import timeline
from companion.programme.models import Conference, Talk


@dataclass(slots=True)
class Entry:
    """One starred session in my schedule."""

    star: Star
    changes: list[str]
    clashes_with: list[Talk] = field(default_factory=list)
    alternatives: list[Talk] = field(default_factory=list)
    free_before: Gap | None = None

    @property
    def talk(self) -> Talk:
        """The starred talk."""
        return self.star.talk


@dataclass(slots=True)
class Day:
    """The starred sessions of one programme day."""

    date: date
    entries: list[Entry]


@dataclass(slots=True)
class Plan:
    """Everything My schedule shows."""

    conference: Conference
    days: list[Day]
    clash_groups: list[list[Talk]]
    changed: list[Entry]
    #: Now & next for me at the server's clock (the API and "Where next?"; the page's own
    #: "Now & next for me" is computed on the device by static/js/now.js).
    now: list[Talk]
    next: list[Talk]

    @property
    def count(self) -> int:
        """How many sessions are starred."""
        return sum(len(day.entries) for day in self.days)


def build(conference: Conference, user_id: int | None, *, now: datetime) -> Plan:
    """The plan of `user_id` (an empty one for someone who has starred nothing yet)."""
    stars = stars_in(user_id, conference) if user_id is not None else []
    talks = [s.talk for s in stars]
    groups = clash_rules.clashes(talks)
    starred_ids = {t.id for t in talks}
    partners: dict[int, list[Talk]] = defaultdict(list)
    for group in groups:
        for talk in group:
            partners[talk.id] = [
                other
                for other in group
                if other.id != talk.id and clash_rules.overlaps(talk, other)
            ]
    clash_starts = {t.start for group in groups for t in group}
    by_start: dict[datetime, list[Talk]] = defaultdict(list)
    for alternative in talks_starting_at(conference, clash_starts):
        if alternative.id not in starred_ids and not alternative.cancelled:
            by_start[alternative.start].append(alternative)
    gaps = clash_rules.gaps(talks)
    entries = [
        Entry(
            star=s,
            changes=s.changes,
            clashes_with=partners.get(s.talk.id, []),
            alternatives=by_start.get(s.talk.start, []) if s.talk.id in partners else [],
            free_before=gaps.get(s.talk.id),
        )
        for s in stars
    ]
    days: dict[date, list[Entry]] = defaultdict(list)
    for entry in entries:
        days[conference.day_of(entry.talk.start)].append(entry)
    glance = timeline.now_and_next(talks, now)
    return Plan(
        conference=conference,
        days=[Day(d, days[d]) for d in sorted(days)],
        clash_groups=groups,
        changed=[e for e in entries if e.changes],
        now=glance.now,
        next=glance.next,
    )


def as_json(plan: Plan) -> dict[str, Any]:
    """The plan as the agenda API returns it."""
    conference = plan.conference

    def entry(e: Entry) -> dict[str, Any]:
        return {
            **talk_data(conference, e.talk),
            "changed_since_starred": e.changes,
            "clashes_with": [t.guid for t in e.clashes_with],
            "alternatives": [t.guid for t in e.alternatives],
            "starred_at": e.star.created_at.isoformat().replace("+00:00", "Z"),
        }

    return {
        "conference": conference.slug,
        "count": plan.count,
        "days": [
            {"date": d.date.isoformat(), "sessions": [entry(e) for e in d.entries]}
            for d in plan.days
        ],
        "clashes": [[t.guid for t in group] for group in plan.clash_groups],
        "now": [t.guid for t in plan.now],
        "next": [t.guid for t in plan.next],
    }
