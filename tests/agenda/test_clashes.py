from __future__ import annotations

from datetime import date, timedelta

from companion.agenda.clashes import Gap, clashes, gaps, overlaps
from companion.programme.models import Talk
from tests.conftest import at


def _talk(
    id_: int, start: str, end: str, *, day: date = date(2020, 3, 2), status: str = "scheduled"
) -> Talk:
    return Talk(id=id_, title=f"T{id_}", start=at(start, day), end=at(end, day), status=status)


def test_touching_sessions_do_not_clash() -> None:
    a, b = _talk(1, "10:00", "10:50"), _talk(2, "10:50", "11:40")
    assert overlaps(a, b) is False
    assert clashes([a, b]) == []


def test_overlapping_sessions_clash() -> None:
    a, b = _talk(1, "10:00", "10:50"), _talk(2, "10:45", "11:40")
    assert [[t.id for t in group] for group in clashes([b, a])] == [[1, 2]]


def test_a_chain_of_overlaps_is_one_clash() -> None:
    talks = [
        _talk(1, "10:00", "11:00"),
        _talk(2, "10:30", "11:30"),
        _talk(3, "11:15", "12:00"),
        _talk(4, "13:00", "14:00"),
    ]
    assert [[t.id for t in group] for group in clashes(talks)] == [[1, 2, 3]]


def test_same_time_on_different_days_does_not_clash() -> None:
    a = _talk(1, "10:00", "10:50")
    b = _talk(2, "10:00", "10:50", day=date(2020, 3, 3))
    assert clashes([a, b]) == []


def test_cancelled_sessions_clash_with_nothing() -> None:
    a = _talk(1, "10:00", "10:50")
    b = _talk(2, "10:00", "10:50", status="cancelled")
    assert clashes([a, b]) == []


def test_free_time_between_sessions_of_one_day() -> None:
    talks = [
        _talk(1, "09:00", "09:50"),
        _talk(2, "10:20", "11:10"),
        _talk(3, "11:12", "12:00"),
        _talk(4, "09:00", "09:50", day=date(2020, 3, 3)),
    ]
    assert gaps(talks) == {2: Gap(at("09:50"), at("10:20"))}
    assert gaps(talks)[2].length == timedelta(minutes=30)
