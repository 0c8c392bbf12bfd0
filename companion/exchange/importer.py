"""Importing a schedule in three steps: read the file (either format) into the neutral schedule;
plan (check everything, then work out the diff against the conference as it is — nothing is
written); apply the plan (exchange.apply: flushes, never commits; the CLI or view commits once).

Matching: sessions by guid; rooms, tracks and speakers by name, ignoring case and spacing (files
rarely carry stable ids for them, and frab ids and pretalx codes differ for the same person).
Sessions the file no longer has are cancelled, never deleted; rooms, tracks and speakers it no
longer has are kept (hosts, roles and maps point at them) and only reported.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from companion.config import RESERVED_SLUGS
from companion.exchange import frab_xml, photos, references, safety, schedule_json
from companion.exchange.compare import compare
from companion.exchange.convert import compose_abstract, kind_of, slugify, to_markdown
from companion.exchange.diff import Diff, FieldChange
from companion.exchange.model import (
    GUID_NAMESPACE,
    MAX_DAYS,
    InvalidSchedule,
    ParsedEvent,
    ParsedSchedule,
    clean,
    clean_line,
    guid_key,
    name_key,
)
from companion.exchange.plan import ImportPlan, WantedTalk
from companion.exchange.queries import existing_state, guids_elsewhere
from companion.programme.links import LinkInput
from companion.programme.models import Conference

#: The largest file we read (36C3's 1,351 events are 2.3 MB of XML).
MAX_BYTES = 20 * 1024 * 1024
#: A zero-length event (36C3 has one) lasts this long unless the file names a timeslot.
DEFAULT_SLOT = timedelta(minutes=5)
#: Longer than this is a broken file, not a session.
LONGEST = timedelta(days=31)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FIELD_LIMITS = {"room": 100, "track": 200, "speaker": 200, "title": 300}


def read_schedule(data: bytes) -> ParsedSchedule:
    """Parse either format, told apart by the first character."""
    if len(data) > MAX_BYTES:
        raise InvalidSchedule("$", f"the file is larger than {MAX_BYTES // 1024 // 1024} MB.")
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    if head == b"<":
        return frab_xml.parse(data)
    if head in (b"{", b"["):
        return schedule_json.parse(data)
    raise InvalidSchedule("line 1", "this is neither frab schedule XML nor schedule.json.")


# --- Planning -----------------------------------------------------------------------------------


def plan_import(
    schedule: ParsedSchedule,
    *,
    conference: Conference | None,
    slug: str | None = None,
    timezone: str | None = None,
) -> ImportPlan:
    """Check the whole schedule and compare it with `conference` (None: a new one is created,
    called `slug` or after the file's acronym). Raises InvalidSchedule; writes nothing."""
    if not schedule.events:
        raise InvalidSchedule("$", _no_sessions(schedule))
    diff = Diff()
    zone, naive_zone = _zones(schedule, conference, timezone, diff)
    slot = schedule.timeslot if schedule.timeslot else DEFAULT_SLOT
    day_change = (
        conference.day_change_hour
        if conference
        else schedule.day_change
        if schedule.day_change is not None
        else _day_change(schedule, zone)
    )
    dropped: references.Dropped = []
    talks = [_wanted(event, naive_zone, slot, dropped) for event in schedule.events]
    _unique_guids(talks, diff)
    values = _conference_values(schedule, conference, slug, zone, day_change, talks, diff)
    rooms = _names(schedule.rooms + [e.room for e in schedule.events], "room")
    tracks = _names([e.track for e in schedule.events], "track")
    speakers: dict[str, tuple[str, str]] = {}
    everyone = [p for e in schedule.events for p in e.persons] + schedule.persons
    for person in everyone:
        key = name_key(clean_line(person.name, limit=_FIELD_LIMITS["speaker"]))
        if key and (key not in speakers or (person.biography and not speakers[key][1])):
            name = clean_line(person.name, limit=_FIELD_LIMITS["speaker"])
            speakers[key] = (name, to_markdown(person.biography))
    speaker_links: dict[str, list[LinkInput]] = {}
    for person in everyone:
        key = name_key(clean_line(person.name, limit=_FIELD_LIMITS["speaker"]))
        if key and person.links and key not in speaker_links:
            speaker_links[key] = references.checked_links(person.links, dropped, owner="speaker")
    speaker_photos: dict[str, str] = {}
    for person in everyone:
        key = name_key(clean_line(person.name, limit=_FIELD_LIMITS["speaker"]))
        if key and person.photo and key not in speaker_photos:
            speaker_photos[key] = person.photo
    references.note_dropped(dropped, diff)
    taken = guids_elsewhere([t.guid for t in talks], conference.id if conference else None)
    for talk in talks:
        if guid_key(talk.guid) in taken:
            raise InvalidSchedule(
                talk.where,
                f"the session guid {talk.guid} belongs to the conference "
                f"“{taken[guid_key(talk.guid)]}”; "
                f"import this file into that conference instead.",
            )
    existing = existing_state(conference) if conference is not None else None
    plan = ImportPlan(
        format=schedule.format,
        conference=conference,
        values=values,
        zone=zone,
        rooms=rooms,
        tracks=tracks,
        speakers=speakers,
        speaker_links=speaker_links,
        talks=talks,
        existing=existing,
        diff=diff,
        revision=conference.revision if conference is not None else None,
        room_details={
            room_key: (capacity, clean(text, limit=300))
            for name, (capacity, text) in schedule.room_details.items()
            if (room_key := _key(name, "room"))
        },
        track_colours={
            track_key: colour
            for name, colour in schedule.track_colours.items()
            if (track_key := _key(name, "track"))
        },
    )
    compare(plan)
    safety.review(plan, schedule)
    photos.review(plan, speaker_photos)
    return plan


def _no_sessions(schedule: ParsedSchedule) -> str:
    skipped = ", ".join(f"{count} {state.lower()}" for state, count in schedule.skipped.items())
    return (
        "no session can be read from this file"
        + (f" (its events are all off the programme: {skipped})" if skipped else "")
        + ". It may be another layout of schedule; nothing would be imported, so it is refused "
        "rather than emptying the programme."
    )


def _zones(
    schedule: ParsedSchedule, conference: Conference | None, timezone: str | None, diff: Diff
) -> tuple[ZoneInfo, ZoneInfo]:
    """The conference's zone (shown and used for days) and the zone of times without an offset:
    the file's own, else the one given (--timezone, the page's select), else the conference's.
    A new conference from a file that names no zone and gives no offsets is refused: when its
    sessions happen is unknown, and guessing UTC puts them hours off."""
    file_zone = _zone(schedule.timezone, "conference.time_zone_name") if schedule.timezone else None
    given = _zone(timezone, "--timezone") if timezone else None
    naive = any(event.start.tzinfo is None for event in schedule.events)
    naive_zone = file_zone or given or (conference.zone if conference is not None else None)
    zone = conference.zone if conference is not None else given or file_zone
    if zone is None:
        if naive:
            raise InvalidSchedule(
                "conference.time_zone_name",
                "the file names no time zone and its times have no UTC offset, so when its "
                "sessions happen is unknown. Give the conference's time zone (--timezone "
                "Europe/Berlin on the command line, the time zone field on the upload page).",
            )
        zone, guessed = _guess_zone(schedule)
        diff.notes.append(guessed)
    elif naive and file_zone is None:
        diff.notes.append(
            f"The file names no time zone and its times have no UTC offset: they are read as "
            f"{naive_zone.key if naive_zone else zone.key} time."
        )
    return zone, naive_zone or zone


def _zone(name: str, where: str) -> ZoneInfo:
    try:
        if len(name) > 64:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidSchedule(
            where, f"“{name}” is not a known time zone (use IANA names such as Europe/Berlin)."
        ) from None


def _guess_zone(schedule: ParsedSchedule) -> tuple[ZoneInfo, str]:
    """A fixed-offset zone from the first offset in the file (rC3 names no zone)."""
    offset = next(
        (e.start.utcoffset() for e in schedule.events if e.start.tzinfo is not None), None
    )
    if offset is None or offset == timedelta(0):
        name = "UTC"
    elif offset % timedelta(hours=1) == timedelta(0) and abs(offset) <= timedelta(hours=14):
        hours = int(offset / timedelta(hours=1))
        name = f"Etc/GMT{-hours:+d}"  # POSIX sign: Etc/GMT-1 is UTC+01:00
    else:
        name = "UTC"
    return ZoneInfo(name), (
        f"The file names no time zone; its times carry UTC offsets, so the new conference "
        f"uses {name} (give its real zone with --timezone or the upload page's time zone)."
    )


def _day_change(schedule: ParsedSchedule, zone: ZoneInfo) -> int:
    """The hour one programme day hands over to the next: where the file's first day ends
    (36C3 04:00, rC3 03:59 → 4, DebConf 02:59:59 IST → 3), else 04:00."""
    end = schedule.first_day_end
    if end is None:
        return 4
    local = end.astimezone(zone) if end.tzinfo is not None else end
    hour = (local.hour + (1 if local.minute or local.second else 0)) % 24
    return hour if hour <= 12 else 4


def _wanted(
    event: ParsedEvent, naive_zone: ZoneInfo, slot: timedelta, dropped: references.Dropped
) -> WantedTalk:
    try:
        start = event.start if event.start.tzinfo else event.start.replace(tzinfo=naive_zone)
        start = start.astimezone(UTC)
        duration = event.duration or slot
        if duration > LONGEST:
            raise InvalidSchedule(event.where, f"the event lasts {duration}, longer than 31 days.")
        end = start + duration
    except OverflowError:
        raise InvalidSchedule(event.where, "the event's time is out of range.") from None
    if not 1970 <= start.year <= 2999:
        raise InvalidSchedule(event.where, f"the event's year {start.year} is not plausible.")
    return WantedTalk(
        guid=event.guid,
        where=event.where,
        title=clean_line(event.title, limit=_FIELD_LIMITS["title"]),
        abstract=compose_abstract(event),
        kind=kind_of(event.type, event.title, has_persons=bool(event.persons)),
        room=_key(event.room, "room"),
        track=_key(event.track, "track"),
        speakers=list(
            dict.fromkeys(k for p in event.persons if (k := _key(p.name, "speaker")) is not None)
        ),
        start=start,
        end=end,
        links=references.event_links(event, dropped),
    )


def _key(name: str, kind: str) -> str | None:
    key = name_key(clean_line(name, limit=_FIELD_LIMITS[kind]))
    return key or None


def _names(names: list[str], kind: str) -> dict[str, str]:
    """name key → the first spelling met, in order."""
    found: dict[str, str] = {}
    for name in names:
        text = clean_line(name, limit=_FIELD_LIMITS[kind])
        key = name_key(text)
        if key and key not in found:
            found[key] = text
    return found


def _unique_guids(talks: list[WantedTalk], diff: Diff) -> None:
    """A guid repeated in the file (36C3 repeats a workshop on several days under one guid): the
    earliest occurrence keeps it, later ones get a guid derived from it and their rank in time,
    so re-importing the same file gives the same guids."""
    groups: dict[str, list[WantedTalk]] = {}
    for talk in talks:
        groups.setdefault(guid_key(talk.guid), []).append(talk)
    for guid, group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda t: (t.start, t.end, t.title))
        for rank, talk in enumerate(group[1:], start=2):
            talk.guid = str(uuid.uuid5(GUID_NAMESPACE, f"repeat:{guid}:{rank}"))
        diff.notes.append(
            f"The guid {guid} is used {len(group)} times (“{group[0].title}”); later "
            f"occurrences get guids derived from it."
        )
    seen: set[str] = set()
    for talk in talks:
        if guid_key(talk.guid) in seen:
            raise InvalidSchedule(talk.where, f"the guid {talk.guid} is used twice.")
        seen.add(guid_key(talk.guid))


def _conference_values(
    schedule: ParsedSchedule,
    conference: Conference | None,
    slug: str | None,
    zone: ZoneInfo,
    day_change: int,
    talks: list[WantedTalk],
    diff: Diff,
) -> dict[str, object]:
    def day_of(instant: datetime) -> date:
        return (instant.astimezone(zone) - timedelta(hours=day_change)).date()

    event_days = [day_of(t.start) for t in talks]
    if conference is not None:
        start = min([conference.start_date, *event_days])
        end = max([conference.end_date, *event_days])
        if (end - start).days > MAX_DAYS:
            raise InvalidSchedule(
                "conference",
                f"its sessions would stretch the conference from {start} to {end}, more than a "
                "year: this looks like another conference's file.",
            )
        if start != conference.start_date:
            diff.conference.append(FieldChange("first day", str(conference.start_date), str(start)))
        if end != conference.end_date:
            diff.conference.append(FieldChange("last day", str(conference.end_date), str(end)))
        values: dict[str, object] = {"start_date": start, "end_date": end}
        for name, text in (("venue", schedule.venue), ("address", schedule.address)):
            text = clean(text, limit=200 if name == "venue" else 300)
            if text and text != getattr(conference, name):
                values[name] = text
                diff.conference.append(FieldChange(name, getattr(conference, name), text))
        return values
    declared_start = schedule.start_date or (min(event_days) if event_days else None)
    declared_end = schedule.end_date or declared_start
    if declared_start is None or declared_end is None:
        raise InvalidSchedule("conference", "the file has no dates and no events.")
    if schedule.days_count and schedule.days_count > 0:
        declared_end = min(declared_end, declared_start + timedelta(days=schedule.days_count - 1))
    start = min([declared_start, *event_days])
    end = max([start, declared_end, *event_days])
    if (end - start).days > MAX_DAYS:
        raise InvalidSchedule("conference", f"the conference would run from {start} to {end}.")
    name = clean_line(schedule.title or schedule.acronym, limit=200)
    final_slug = slug or slugify(schedule.acronym or schedule.title, fallback="")
    if not _SLUG.match(final_slug) or len(final_slug) > 64:
        raise InvalidSchedule(
            "conference.acronym",
            f"“{final_slug}” cannot name the conference; give a slug "
            "(lowercase letters, digits, single hyphens).",
        )
    if final_slug in RESERVED_SLUGS:
        raise InvalidSchedule("conference.acronym", f"“{final_slug}” is reserved; give another.")
    diff.new_conference = f"“{name}” ({final_slug}, {start} to {end}, {zone.key})"
    return {
        "slug": final_slug,
        "name": name,
        "timezone": zone.key,
        "start_date": start,
        "end_date": end,
        "day_change_hour": day_change,
        "venue": clean_line(schedule.venue, limit=200),
        "address": clean(schedule.address, limit=300),
    }
