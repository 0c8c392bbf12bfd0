"""The neutral schedule every format is read into, the error a bad file raises, and the small
parsers both formats share (durations, clock times, instants, text)."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from companion.parsing import one_line, without_controls
from companion.programme.models import is_colour
from companion.programme.operations import InvalidProgramme


class InvalidSchedule(InvalidProgramme):
    """A file that is not a schedule, or lacks what a session needs. `where` is the XML line or
    the JSON path; nothing has been written when this is raised."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}", details={"where": where, "problem": problem})
        self.where = where
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ParsedLink:
    """A link as a file gives it, not yet checked (the importer drops unsafe ones with a note).
    `kind` is ours (programme.links), as the reader understood the file's type; "" for a
    person's link, whose kind follows from where it leads."""

    kind: str
    url: str
    title: str = ""
    where: str = ""


@dataclass(slots=True)
class ParsedPerson:
    """A speaker as a file names them."""

    name: str
    #: frab's numeric id or pretalx's code, when the file has one (informative only: people are
    #: matched by name, since ids differ between systems and many files have none).
    ref: str = ""
    biography: str = ""
    links: list[ParsedLink] = field(default_factory=list)
    #: The address of their photo (pretalx's `avatar`), http(s) only; "" for none.
    photo: str = ""


@dataclass(slots=True)
class ParsedEvent:
    """One event, as found; `start` is aware when the file gave an offset, else local naive."""

    where: str
    guid: str
    title: str
    start: datetime
    duration: timedelta
    room: str = ""
    track: str = ""
    type: str = ""
    subtitle: str = ""
    abstract: str = ""
    description: str = ""
    language: str = ""
    persons: list[ParsedPerson] = field(default_factory=list)
    #: Slides, recording, stream and other links (the event's own page left out).
    links: list[ParsedLink] = field(default_factory=list)
    #: The event's own page (`<url>`, `url`): a link to it is not a resource.
    url: str = ""


@dataclass(slots=True)
class ParsedSchedule:
    """A whole file, format-independent."""

    format: str
    acronym: str
    title: str
    start_date: date | None = None
    end_date: date | None = None
    days_count: int | None = None
    timezone: str | None = None
    #: The first programme day's end as the file states it (tells when one day hands over).
    first_day_end: datetime | None = None
    timeslot: timedelta | None = None
    #: The hour one day hands over to the next, when the file says (frab's <day_change>).
    day_change: int | None = None
    #: Rooms in the order the file lists them (containers and declarations, then events).
    rooms: list[str] = field(default_factory=list)
    events: list[ParsedEvent] = field(default_factory=list)
    #: Room name → (capacity, description), where the file declares them.
    room_details: dict[str, tuple[int | None, str]] = field(default_factory=dict)
    #: Track name → #rrggbb, where the file gives a colour.
    track_colours: dict[str, str] = field(default_factory=dict)
    venue: str = ""
    address: str = ""
    #: Everyone the file lists, with or without a session (schedule.persons).
    persons: list[ParsedPerson] = field(default_factory=list)
    #: Events left out because of their state (schedule 2: CANCELED, WITHDRAWN…), by state.
    skipped: dict[str, int] = field(default_factory=dict)


#: The longest conference we take (a year and a day); more is a broken file.
MAX_DAYS = 366

_DURATION = re.compile(r"^\s*(\d{1,4}):(\d{1,2})(?::(\d{1,2}))?\s*$")
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
#: Control characters no database text should hold (NUL breaks PostgreSQL); tabs and newlines stay.


def parse_duration(value: str, where: str) -> timedelta:
    """ "00:40", "1:00", "12:59" (hours:minutes) or "0:45:00" (with seconds)."""
    match = _DURATION.match(value or "")
    if match is None:
        raise InvalidSchedule(where, f"duration “{value}” is not HH:MM or H:MM:SS.")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if minutes > 59 or seconds > 59:
        raise InvalidSchedule(where, f"duration “{value}” is not HH:MM or H:MM:SS.")
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def parse_day_change(value: str) -> int | None:
    """frab's <day_change> ("04:00", "04:00:00", a date-time) as an hour; None if unreadable."""
    text = (value or "").strip()
    match = re.search(r"(?:^|T)(\d{1,2}):(\d{2})", text)
    if match is None or int(match.group(1)) > 12:
        return None
    return int(match.group(1))


def parse_colour(value: object) -> str | None:
    """A #rrggbb colour (lowercase), or None."""
    text = clean(value)
    return text.lower() if is_colour(text) else None


def parse_clock(value: str, where: str) -> time:
    """A local wall-clock time, "09:30" or "9:30:00"."""
    match = _CLOCK.match(value or "")
    if match is not None:
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        if hours < 24 and minutes < 60 and seconds < 60:
            return time(hours, minutes, seconds)
    raise InvalidSchedule(where, f"start “{value}” is not a time of day (HH:MM).")


def parse_instant(value: str, where: str) -> datetime | date:
    """An ISO 8601 date-time (aware with an offset, naive without) or a plain date."""
    text = (value or "").strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidSchedule(where, f"“{value}” is not an ISO 8601 date or date-time.") from None


def parse_date(value: str, where: str) -> date:
    """A date, or the date part of a date-time."""
    parsed = parse_instant(value, where)
    return parsed.date() if isinstance(parsed, datetime) else parsed


def clean(value: object, *, limit: int | None = None) -> str:
    """Text as we store it: no control characters, \\n line ends, trimmed, at most `limit`
    characters (an ellipsis marks a cut)."""
    if value is None:
        return ""
    text = without_controls(str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def clean_line(value: object, *, limit: int | None = None) -> str:
    """A title or a name as we store it: `clean`, on one line (files in the wild break titles
    over lines; our single-line fields hold none, see `parsing.is_single_line`)."""
    return clean(one_line(clean(value)), limit=limit)


def name_key(name: str) -> str:
    """How names are matched: case, accents' composition and runs of spaces do not matter."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


#: Namespace of the guids we derive (events without a usable guid, repeated guids).
GUID_NAMESPACE = uuid.UUID("8f6f2e42-5a4b-4bfb-9d0c-2f1f3f1c9a51")


#: A UUID as files write it: with or without hyphens, either case (32C3 has none).
_UUID_TEXT = re.compile(
    r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)


def event_guid(guid: object, ident: object, base_url: str, where: str) -> str:
    """The event's guid as the file gives it when it is a UUID (with or without hyphens: schedule
    apps match events by this exact string); one derived from the frab id when there is no guid,
    or from the text when it is not a UUID — deterministically, so re-imports match."""
    text = clean(guid)
    if text:
        if _UUID_TEXT.match(text):
            return text
        return str(uuid.uuid5(GUID_NAMESPACE, f"guid:{text}"))
    ident_text = clean(ident)
    if ident_text:
        return str(uuid.uuid5(GUID_NAMESPACE, f"id:{base_url}:{ident_text}"))
    raise InvalidSchedule(where, "the event has neither a guid nor an id.")


def guid_key(guid: str) -> str:
    """How guids are matched: the same UUID written with or without hyphens, in either case, is
    one session (a conference imported before guids were kept as given holds hyphenated ones)."""
    if _UUID_TEXT.match(guid):
        return str(uuid.UUID(guid))
    return guid


def guid_spellings(guid: str) -> list[str]:
    """Every way `guid` may be stored (as given, hyphenated and not, lowercase)."""
    if not _UUID_TEXT.match(guid):
        return [guid]
    canonical = str(uuid.UUID(guid))
    return list(dict.fromkeys([guid, canonical, canonical.replace("-", "")]))
