"""The day as a room × time table (the day page): pure functions over one day's talks.

Rows are cut at every distinct start and end of the day, so a session covers whole rows (its
rowspan) and rows can be as tall as the minutes they last. Rooms are columns in the conference's
room order; a room with sessions that overlap (imported data can) gets one column per lane, so
its sessions still never share a cell. Breaks and sessions with no room span every column, unless
something else runs at the time: then they take a column of their own like any session.

static/js/live-page.js lays out the same table again, by the same rules, when a live change moves
a session on an open page: change both together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from companion.programme.models import Conference, Room, Talk, TalkKind


@dataclass(slots=True)
class Cell:
    """A session's cell: it starts in its row and covers `rows` rows and `columns` columns."""

    talk: Talk
    rows: int
    columns: int = 1

    @property
    def spans(self) -> bool:
        """True when the cell spans more than one room (a break across the day)."""
        return self.columns > 1


@dataclass(slots=True)
class Row:
    """The rows are the time between two consecutive boundaries of the day.

    `cells` holds, left to right, the cells that start in this row and `None` for each empty
    cell; positions covered by a cell from a row above are left out, as HTML tables want them.
    """

    start: datetime
    end: datetime
    id: str
    cells: list[Cell | None] = field(default_factory=list)

    @property
    def talks(self) -> list[Talk]:
        """The sessions that start in this row."""
        return [cell.talk for cell in self.cells if cell is not None]

    @property
    def minutes(self) -> int:
        """How long the row lasts (its height on wide screens)."""
        return round((self.end - self.start).total_seconds() / 60)


@dataclass(slots=True)
class RoomColumn:
    """A room's header: the room (None: sessions with no room) and how many lanes it needs."""

    room: Room | None
    lanes: int = 1


@dataclass(slots=True)
class Grid:
    """One day's table: room headers left to right, rows top to bottom."""

    rooms: list[RoomColumn]
    rows: list[Row]

    @property
    def width(self) -> int:
        """Columns of sessions (without the time column)."""
        return sum(column.lanes for column in self.rooms)


def _spans_every_room(talk: Talk) -> bool:
    return talk.kind == TalkKind.BREAK or talk.room is None


def _room_order(room: Room | None) -> tuple[int, int, str, int]:
    # The conference's room order (Conference.rooms: by position), then by name; no room last.
    if room is None:
        return (1, 0, "", 0)
    return (0, room.position or 0, room.name, room.id or 0)


def _lanes(talks: list[Talk]) -> list[int]:
    """The lane of each talk (first fit, in time order): overlapping talks get other lanes."""
    ends: list[datetime] = []
    lanes: list[int] = []
    for talk in talks:
        lane = next((i for i, end in enumerate(ends) if end <= talk.start), len(ends))
        if lane == len(ends):
            ends.append(talk.end)
        else:
            ends[lane] = talk.end
        lanes.append(lane)
    return lanes


def _row_ids(conference: Conference, starts: list[datetime]) -> list[str]:
    """Stable ids ("t-1030", local time) for links like /now's #fragment; unique in the day."""
    ids: list[str] = []
    for start in starts:
        base = "t-" + conference.local(start).strftime("%H%M")
        ids.append(base if base not in ids else f"{base}-{ids.count(base) + 1}")
    return ids


def day_grid(conference: Conference, talks: Iterable[Talk]) -> Grid:
    """The room × time table of one day's talks (any order; cancelled ones keep their place)."""
    ordered = sorted(talks, key=lambda t: (t.start, t.end, t.id or 0))
    # A break spans the rooms only where nothing else runs beside it.
    spanning = {
        id(t)
        for t in ordered
        if _spans_every_room(t)
        and not any(o.start < t.end and t.start < o.end for o in ordered if o is not t)
    }
    in_rooms = [t for t in ordered if id(t) not in spanning]
    by_room: dict[int | None, list[Talk]] = {}
    for talk in in_rooms:
        by_room.setdefault(talk.room.id if talk.room else None, []).append(talk)
    headers = sorted(
        (RoomColumn(room_talks[0].room, 1) for room_talks in by_room.values()),
        key=lambda column: _room_order(column.room),
    )
    place: dict[int, int] = {}  # id(talk) → its column
    first = 0
    for header in headers:
        room_talks = by_room[header.room.id if header.room else None]
        lanes = _lanes(room_talks)
        header.lanes = max(lanes) + 1
        for talk, lane in zip(room_talks, lanes, strict=True):
            place[id(talk)] = first + lane
        first += header.lanes
    width = max(first, 1)

    bounds = sorted({t.start for t in ordered} | {t.end for t in ordered})
    starts = bounds[:-1]
    index = {instant: i for i, instant in enumerate(bounds)}
    rows = [
        Row(start, end, row_id)
        for start, end, row_id in zip(starts, bounds[1:], _row_ids(conference, starts), strict=True)
    ]
    # Which (row, column) positions a cell from an earlier row covers, then each row's cells.
    starting: dict[tuple[int, int], Cell] = {}
    covered: set[tuple[int, int]] = set()
    for talk in ordered:
        top, bottom = index[talk.start], index[talk.end]
        across = id(talk) in spanning
        left = 0 if across else place[id(talk)]
        cell = Cell(talk, rows=bottom - top, columns=width if across else 1)
        starting[(top, left)] = cell
        for r in range(top, bottom):
            for c in range(left, left + cell.columns):
                if (r, c) != (top, left):
                    covered.add((r, c))
    for r, row in enumerate(rows):
        row.cells = [starting.get((r, c)) for c in range(width) if (r, c) not in covered]
    return Grid(headers, rows)


def current_row(grid: Grid, at: datetime) -> Row | None:
    """The row to show first at `at`: where the earliest session on now starts, else where the
    next one starts; None when the day is over. (now.js finds the same row on the device.)"""
    on_now = [t for row in grid.rows for t in row.talks if t.start <= at < t.end]
    if on_now:
        start = min(t.start for t in on_now)
    else:
        later = [row.start for row in grid.rows if row.talks and row.start > at]
        if not later:
            return None
        start = min(later)
    return next(row for row in grid.rows if row.start == start)
