"""Reading what people type: whole numbers of ASCII digits that a database column can hold, and
wall-clock times that exist in the conference's time zone. Everything else is None, for the
caller to turn into a message next to the field (never a 500)."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, date, datetime, time
from typing import Any
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


#: C0 controls but tab and line breaks, DEL, the C1 controls (U+0080–U+009F: invisible, and a
#: terminal reads U+009B as an escape), and what XML 1.0 cannot carry at all: U+FFFE, U+FFFF and
#: lone surrogates (which UTF-8 cannot encode either).
_UNUSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def has_controls(text: str) -> bool:
    """True when `text` holds control characters other than tab and line breaks, or characters
    no XML file can carry (they break XML feeds and show as nothing)."""
    return _UNUSABLE.search(text) is not None


def without_controls(text: str) -> str:
    """`text` with those characters removed (for XML written from older rows)."""
    return _UNUSABLE.sub("", text)


def load_json(data: str | bytes) -> Any:
    """`json.loads`, refusing (ValueError, like malformed JSON) a string escape of a lone
    surrogate such as `"\\ud800"`: it decodes to text that UTF-8, and so no database, can hold."""
    try:
        document = json.loads(data)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in item):
                raise ValueError("the JSON holds a lone surrogate (\\ud800–\\udfff)")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return document


def is_single_line(text: str) -> bool:
    """True when `text` holds no control character at all, line breaks and tabs included, nor
    anything XML cannot carry: what a title or a name must be (calendar files and headers cannot
    carry a line break there)."""
    return not has_controls(text) and not any(ord(c) < 32 or c in "\u2028\u2029\x85" for c in text)


#: Bidirectional overrides and isolates: in a title or a name they make text read as something
#: else ("x\u202egnp.exe" shows as "xexe.png").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_plain_label(text: str) -> bool:
    """True for a title or a name people can read as it is: one line, no bidirectional overrides,
    and at least one visible character (not only spaces and zero-width characters)."""
    return (
        is_single_line(text)
        and not any(c in _BIDI_CONTROLS for c in text)
        and any(_visible(c) for c in text)
    )


#: Letters and symbols that draw nothing (Hangul fillers, the Braille blank, Khmer vowel
#: inherents): a title made of them looks empty.
_BLANK_LOOKALIKES = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def _visible(char: str) -> bool:
    # Letters, digits, punctuation and symbols draw something; marks only decorate another
    # character, and separators, controls and format characters draw nothing.
    return unicodedata.category(char)[0] in "LNPS" and char not in _BLANK_LOOKALIKES


def one_line(text: str) -> str:
    """`text` as one line without control characters (for exports of rows stored before the
    rule, or imported from files)."""
    return " ".join(without_controls(text).replace("\u2028", " ").replace("\u2029", " ").split())


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str) -> date | None:
    """A day written as 2020-03-02, or None (no other spelling, no impossible date)."""
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
