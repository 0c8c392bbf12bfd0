"""The day as a room × time table (companion/programme/grid.py): rows cut at every start and end,
rooms as columns in the conference's order, breaks across every room, /now's row."""

from __future__ import annotations

from companion.programme.grid import Grid, current_row, day_grid
from companion.programme.models import Conference, Room, Talk
from tests.conftest import at

LONDON = Conference(slug="c", name="C", timezone="Europe/London")
CHURCHILL = Room(id=1, name="Churchill", position=0)
FLEMING = Room(id=2, name="Fleming", position=1)
WHITTLE = Room(id=3, name="Whittle", position=2)
FOYER = Room(id=4, name="Foyer", position=3)


def _talk(id_: int, start: str, end: str, room: Room | None, kind: str = "talk") -> Talk:
    return Talk(id=id_, title=f"T{id_}", kind=kind, start=at(start), end=at(end), room=room)


def _layout(grid: Grid) -> list[tuple[str, list[str]]]:
    """Each row as (its id, its cells as "title rowspan×colspan" or "-" for an empty cell)."""
    return [
        (row.id, [f"{c.talk.title} {c.rows}×{c.columns}" if c else "-" for c in row.cells])
        for row in grid.rows
    ]


def test_a_day_is_rows_at_every_boundary_with_rooms_as_columns() -> None:
    talks = [
        _talk(1, "08:00", "09:00", FOYER, kind="break"),
        _talk(2, "09:00", "09:50", CHURCHILL, kind="keynote"),
        _talk(3, "10:20", "11:10", WHITTLE),
        _talk(4, "10:20", "10:45", FLEMING),
        _talk(5, "10:45", "11:10", FLEMING),
        _talk(6, "10:20", "11:10", CHURCHILL),
        _talk(7, "11:10", "11:30", FOYER, kind="break"),
    ]
    grid = day_grid(LONDON, reversed(talks))
    assert [column.room.name for column in grid.rooms if column.room] == [
        "Churchill",
        "Fleming",
        "Whittle",
    ]  # by the rooms' position, not by name or by time; the foyer only holds breaks
    assert grid.width == 3
    assert _layout(grid) == [
        ("t-0800", ["T1 1×3"]),  # a break spans every room
        ("t-0900", ["T2 1×1", "-", "-"]),  # a keynote stays in its room's column
        ("t-0950", ["-", "-", "-"]),  # nothing between 09:50 and 10:20: an empty row
        ("t-1020", ["T6 2×1", "T4 1×1", "T3 2×1"]),
        ("t-1045", ["T5 1×1"]),  # the other two columns are covered by the 50-minute talks
        ("t-1110", ["T7 1×3"]),
    ]
    assert [row.minutes for row in grid.rows] == [60, 50, 30, 25, 25, 20]
    assert [t.id for t in grid.rows[3].talks] == [6, 4, 3]


def test_a_break_beside_a_session_keeps_to_its_own_column() -> None:
    talks = [
        _talk(1, "10:00", "10:50", FLEMING),
        _talk(2, "10:30", "11:00", FOYER, kind="break"),
    ]
    assert _layout(day_grid(LONDON, talks)) == [
        ("t-1000", ["T1 2×1", "-"]),
        ("t-1030", ["T2 2×1"]),
        ("t-1050", ["-"]),
    ]


def test_overlapping_sessions_in_one_room_get_a_lane_each() -> None:
    talks = [
        _talk(1, "10:00", "11:00", FLEMING),
        _talk(2, "10:30", "11:30", FLEMING),
        _talk(3, "11:00", "11:30", FLEMING),
    ]
    grid = day_grid(LONDON, talks)
    assert [(column.room.name, column.lanes) for column in grid.rooms if column.room] == [
        ("Fleming", 2)
    ]
    assert _layout(grid) == [
        ("t-1000", ["T1 2×1", "-"]),
        ("t-1030", ["T2 2×1"]),
        ("t-1100", ["T3 1×1"]),  # the first lane is free again at 11:00
    ]


def test_sessions_without_a_room_span_the_rooms_when_alone() -> None:
    talks = [_talk(1, "09:00", "09:30", None), _talk(2, "09:30", "10:00", FLEMING)]
    assert _layout(day_grid(LONDON, talks)) == [("t-0900", ["T1 1×1"]), ("t-0930", ["T2 1×1"])]
    assert _layout(day_grid(LONDON, [*talks, _talk(3, "09:30", "10:00", WHITTLE)])) == [
        ("t-0900", ["T1 1×2"]),
        ("t-0930", ["T2 1×1", "T3 1×1"]),
    ]


def test_row_ids_are_the_local_start_time() -> None:
    new_york = Conference(slug="ny", name="NY", timezone="America/New_York")
    grid = day_grid(new_york, [_talk(1, "14:00", "14:30", FLEMING)])
    assert [row.id for row in grid.rows] == ["t-0900"]  # 14:00 UTC is 09:00 in New York


def test_an_empty_day_has_no_rows() -> None:
    assert day_grid(LONDON, []).rows == []


def test_the_current_row_is_where_the_earliest_session_on_now_starts() -> None:
    talks = [
        _talk(1, "09:00", "09:50", CHURCHILL),
        _talk(2, "10:20", "11:10", CHURCHILL),
        _talk(3, "10:20", "10:45", FLEMING),
        _talk(4, "10:45", "11:10", FLEMING),
    ]
    grid = day_grid(LONDON, talks)
    assert current_row(grid, at("08:00")).id == "t-0900"  # before: the first
    assert current_row(grid, at("09:00")).id == "t-0900"
    assert current_row(grid, at("09:55")).id == "t-1020"  # between: the next
    assert current_row(grid, at("10:50")).id == "t-1020"  # not 10:45: 10:20's talks are on
    assert current_row(grid, at("11:10")) is None  # the day is over
