"""Reading what people type: whole numbers of ASCII digits that a database column can hold, and
wall-clock times that exist in the conference's time zone. Everything else is None, for the
caller to turn into a message next to the field (never a 500)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

#: The largest value of an SQL INTEGER on PostgreSQL (ids, levels, capacities).
MAX_INT = 2**31 - 1
#: Dates outside these years are typing mistakes, and too near the ends of what datetime holds.
FIRST_YEAR, LAST_YEAR = 1970, 2200


def small_int(raw: object, *, signed: bool = False) -> int | None:
    """`raw` as an int when it is ASCII digits (a leading minus if `signed`) within INTEGER."""
    text = str(raw).strip()
    sign = 1
    if signed and text.startswith("-"):
        sign, text = -1, text[1:]
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return sign * value if value <= MAX_INT else None


def sane_date(value: date) -> bool:
    """True for a date a conference could have."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def local_instant(day: date, clock: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall-clock time in `zone`; None when the clocks skip it (the spring
    DST gap). Of an hour that happens twice (autumn), the first."""
    if not sane_date(day):
        return None
    local = datetime.combine(day, clock, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


_CONTROLS = {c for c in range(32) if chr(c) not in "\t\n\r"} | {127}


def has_controls(text: str) -> bool:
    """True when `text` holds control characters other than tab and line breaks (they break XML
    feeds and show as nothing)."""
    return any(ord(c) in _CONTROLS for c in text)


def without_controls(text: str) -> str:
    """`text` with those control characters removed (for XML written from older rows)."""
    return "".join(c for c in text if ord(c) not in _CONTROLS)


def is_single_line(text: str) -> bool:
    """True when `text` holds no control character at all, line breaks and tabs included: what a
    title or a name must be (calendar files and headers cannot carry a line break there)."""
    return not any(ord(c) < 32 or ord(c) == 127 or c in "\u2028\u2029\x85" for c in text)


def one_line(text: str) -> str:
    """`text` as one line without control characters (for exports of rows stored before the
    rule, or imported from files)."""
    return " ".join(without_controls(text).replace("\u2028", " ").replace("\u2029", " ").split())
