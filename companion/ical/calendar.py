"""Pure functions from programme data to iCalendar bytes (RFC 5545 via the icalendar library)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from companion.markup import plain_text
from companion.parsing import one_line, without_controls
from companion.programme.models import Conference, Talk

#: How often calendar apps should fetch a feed again.
REFRESH = timedelta(hours=1)
#: A UID's right-hand side: fixed, so UIDs survive a change of host name.
UID_DOMAIN = "conference-companion"
PRODID = "-//Conference Companion//Programme//EN"
#: The kinds of a session's links that become an ATTACH.
ATTACHED = ("slides", "recording")


@lru_cache(maxsize=32)
def _timezone(tzid: str, first: date, last: date) -> bytes:
    # Building a VTIMEZONE walks the zone's transitions: do it once per zone and span.
    return Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()


def timezone_component(conference: Conference) -> Timezone:
    """The conference zone's VTIMEZONE, covering a year either side of the conference."""
    first = date(conference.start_date.year - 1, 1, 1)
    last = date(conference.end_date.year + 1, 12, 31)
    component = Timezone.from_ical(_timezone(conference.timezone, first, last))
    assert isinstance(component, Timezone)
    return component


def uid(talk: Talk) -> str:
    """The stable UID of a session's event (the same across edits and re-imports)."""
    return f"{talk.guid}@{UID_DOMAIN}"


def location(talk: Talk, conference: Conference) -> str:
    """ "Fleming, 3rd floor, Queen Elizabeth II Centre"."""
    parts = []
    if talk.room is not None:
        parts.append(talk.room.name)
        if talk.room.floor is not None:
            parts.append(talk.room.floor.name)
    if conference.venue:
        parts.append(conference.venue)
    return ", ".join(parts)


def event(
    talk: Talk, conference: Conference, *, url: str, reminder_minutes: int | None = None
) -> Event:
    """One session as a VEVENT in the conference's zone."""
    item = Event()
    item.add("uid", uid(talk))
    item.add("sequence", max(talk.version - 1, 0))
    item.add("dtstamp", talk.updated_at)
    item.add("last-modified", talk.updated_at)
    item.add("created", talk.created_at)
    item.add("dtstart", conference.local(talk.start))
    item.add("dtend", conference.local(talk.end))
    # Single-line properties: a line break stored before the rule (or imported) must not break
    # the file for everyone.
    item.add("summary", one_line(talk.title))
    speakers = ", ".join(
        f"{s.name} ({s.affiliation})" if s.affiliation else s.name for s in talk.speakers
    )
    resources = "\n".join(f"{link.label}: {link.url}" for link in talk.links)
    description = [text for text in (speakers, plain_text(talk.abstract), resources, url) if text]
    item.add("description", without_controls("\n\n".join(description)))
    where = one_line(location(talk, conference))
    if where:
        item.add("location", where)
    item.add("url", url)
    # URL is the session's page; the slides and the recording are what the event carries
    # (RFC 5545 ATTACH, a URI; a live stream is no attachment: it is in the description).
    for link in talk.links:
        if link.kind in ATTACHED:
            item.add("attach", link.url)
    categories = [one_line(talk.track.name)] if talk.track else []
    categories.append(talk.kind.capitalize())
    item.add("categories", categories)
    item.add("status", "CANCELLED" if talk.cancelled else "CONFIRMED")
    item.add("transp", "TRANSPARENT" if talk.kind == "break" else "OPAQUE")
    if reminder_minutes is not None and not talk.cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{one_line(talk.title)} starts in {reminder_minutes} min")
        alarm.add("trigger", vDuration(-timedelta(minutes=reminder_minutes)))
        item.add_component(alarm)
    return item


def calendar(
    name: str,
    talks: Iterable[Talk],
    conferences: dict[int, Conference],
    *,
    url_of: Callable[[Talk], str],
    reminder_minutes: int | None = None,
) -> bytes:
    """A whole VCALENDAR of `talks` (each in its own conference's zone)."""
    name = one_line(name)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    zones = {c.timezone for c in conferences.values()}
    if len(zones) == 1:
        cal.add("x-wr-timezone", next(iter(zones)))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    seen: set[str] = set()
    for conference in sorted(conferences.values(), key=lambda c: c.start_date):
        if conference.timezone not in seen:
            seen.add(conference.timezone)
            cal.add_component(timezone_component(conference))
    for talk in talks:
        cal.add_component(
            event(
                talk,
                conferences[talk.conference_id],
                url=url_of(talk),
                reminder_minutes=reminder_minutes,
            )
        )
    return cal.to_ical()
