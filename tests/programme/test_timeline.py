from __future__ import annotations

from datetime import UTC, date, datetime

from companion.programme.models import Conference, Talk
from companion.programme.timeline import conference_phase, display_day, now_and_next
from tests.conftest import at


def _talk(id_: int, start: str, end: str, kind: str = "talk") -> Talk:
    return Talk(id=id_, title=f"T{id_}", kind=kind, start=at(start), end=at(end))


def test_now_and_next_in_the_middle_of_a_slot() -> None:
    talks = [
        _talk(1, "09:00", "09:50"),
        _talk(2, "10:00", "10:50"),
        _talk(3, "10:00", "11:00"),
        _talk(4, "11:00", "11:50"),
    ]
    glance = now_and_next(talks, at("09:30"))
    assert [t.id for t in glance.now] == [1]
    assert [t.id for t in glance.next] == [2, 3]
    assert glance.next_start == at("10:00")


def test_a_talk_ending_now_is_not_on_now() -> None:
    glance = now_and_next([_talk(1, "09:00", "09:50"), _talk(2, "09:50", "10:40")], at("09:50"))
    assert [t.id for t in glance.now] == [2]
    assert glance.next == []


def test_after_the_last_talk_nothing_is_next() -> None:
    glance = now_and_next([_talk(1, "09:00", "09:50")], at("18:00"))
    assert glance.now == [] and glance.next == [] and glance.next_start is None


def test_display_day_and_phase_follow_the_clock() -> None:
    conference = Conference(
        slug="c",
        name="C",
        timezone="Europe/London",
        start_date=date(2020, 3, 2),
        end_date=date(2020, 3, 4),
        day_change_hour=4,
    )
    before = datetime(2020, 2, 1, 12, tzinfo=UTC)
    during = datetime(2020, 3, 3, 12, tzinfo=UTC)
    after = datetime(2020, 3, 9, 12, tzinfo=UTC)
    assert [display_day(conference, t) for t in (before, during, after)] == [
        date(2020, 3, 2),
        date(2020, 3, 3),
        date(2020, 3, 4),
    ]
    assert [conference_phase(conference, t) for t in (before, during, after)] == [
        "before",
        "during",
        "after",
    ]
