"""The organiser's forms as typed inputs, as `hosting.forms` is for the host's: parsing checks
the shape of every field (and that what it names belongs to this conference) and raises Invalid
with each bad field named; `admin.operations` and `admin.room_operations` then check the role,
the version and the rules that involve other rows, audit, and write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import select

from companion.accounts.models import RoleKind
from companion.admin.common import CONFERENCE_FIELDS, refuse, text_field
from companion.db import session
from companion.parsing import sane_date, small_int
from companion.programme.models import Conference, Floor, Track, is_colour
from companion.programme.queries import known_speaker_ids

_ZONES = frozenset(available_timezones())


@dataclass(frozen=True, slots=True)
class ConferenceInput:
    """The conference form: what it is, where, when, and in which zone."""

    name: str
    venue: str
    address: str
    url: str
    timezone: str
    start_date: date
    end_date: date
    day_change_hour: int
    #: What the form started from (`saving.fingerprint`); None from a client that sends none.
    fingerprint: str | None

    def fields(self) -> dict[str, Any]:
        """The conference's columns as the form sets them."""
        return {name: getattr(self, name) for name in CONFERENCE_FIELDS}


@dataclass(frozen=True, slots=True)
class TrackInput:
    """The track form: its name and colour, and the speakers shown as its hosts."""

    name: str
    colour: str
    host_ids: list[int]
    fingerprint: str | None


@dataclass(frozen=True, slots=True)
class FloorInput:
    """The floor form."""

    name: str
    level: int
    fingerprint: str | None


@dataclass(frozen=True, slots=True)
class RoomInput:
    """The room form."""

    name: str
    description: str
    floor_id: int | None
    capacity: int | None
    fingerprint: str | None


@dataclass(frozen=True, slots=True)
class RoleInput:
    """Who gets which role: an email, organiser or the host of one track."""

    email: str
    kind: RoleKind
    track: Track | None
    name: str


def _fingerprint(values: dict[str, Any]) -> str | None:
    value = values.get("fingerprint")
    return None if value is None else str(value)


def conference_input(values: dict[str, Any]) -> ConferenceInput:
    """The conference form, or Invalid naming each bad field."""
    errors: dict[str, str] = {}
    name = text_field(values, "name", 200, errors)
    url = text_field(values, "url", 300, errors)
    timezone = str(values.get("timezone", "")).strip()
    if not name:
        errors["name"] = "A conference needs a name."
    if url and not url.startswith(("https://", "http://")):
        errors["url"] = "Enter a web address starting with https://."
    if timezone not in _ZONES:
        errors["timezone"] = "Choose a time zone such as Europe/London."
    start = end = date.min
    try:
        start = date.fromisoformat(str(values.get("start_date", "")))
        end = date.fromisoformat(str(values.get("end_date", "")))
    except ValueError:
        errors["start_date"] = "Enter the dates as YYYY-MM-DD."
    else:
        if not (sane_date(start) and sane_date(end)):
            errors["start_date"] = "Enter the conference's real dates."
        elif end < start:
            errors["end_date"] = "The conference must end on or after its first day."
        elif (end - start).days > 31:
            errors["end_date"] = "A conference here lasts at most 32 days."
    day_change = small_int(str(values.get("day_change_hour", "")))
    if day_change is None or not 0 <= day_change <= 12:
        errors["day_change_hour"] = "Enter an hour from 0 to 12."
    venue = text_field(values, "venue", 200, errors)
    address = text_field(values, "address", 300, errors)
    refuse(errors)
    assert day_change is not None
    return ConferenceInput(
        name, venue, address, url, timezone, start, end, day_change, _fingerprint(values)
    )


def track_input(conference: Conference, values: dict[str, Any]) -> TrackInput:
    """The track form, or Invalid naming each bad field."""
    errors: dict[str, str] = {}
    name = text_field(values, "name", 200, errors)
    if not name:
        errors["name"] = "A track needs a name."
    colour = str(values.get("colour", "")).strip().lower()
    if not is_colour(colour):
        errors["colour"] = "Pick a colour (#rrggbb)."
    raw = values.get("hosts", [])
    chosen = [str(v) for v in (raw if isinstance(raw, list) else [raw]) if v]
    host_ids = [n for n in map(small_int, chosen) if n is not None]
    if len(host_ids) != len(chosen) or not set(host_ids) <= known_speaker_ids(conference, host_ids):
        errors["hosts"] = "Choose speakers of this conference."
    refuse(errors)
    return TrackInput(name, colour, list(dict.fromkeys(host_ids)), _fingerprint(values))


def floor_input(values: dict[str, Any]) -> FloorInput:
    """The floor form, or Invalid naming each bad field."""
    errors: dict[str, str] = {}
    name = text_field(values, "name", 100, errors)
    if not name:
        errors["name"] = "A floor needs a name, e.g. “3rd floor”."
    level = small_int(str(values.get("level", "")).strip(), signed=True)
    if level is None or abs(level) > 200:
        errors["level"] = "Enter the level as a whole number (0 is the ground floor, -1 below)."
    refuse(errors)
    assert level is not None
    return FloorInput(name, level, _fingerprint(values))


def room_input(conference: Conference, values: dict[str, Any]) -> RoomInput:
    """The room form, or Invalid naming each bad field."""
    errors: dict[str, str] = {}
    name = text_field(values, "name", 100, errors)
    if not name:
        errors["name"] = "A room needs a name."
    description = text_field(values, "description", 300, errors)
    raw_floor = str(values.get("floor", ""))
    floor_id = small_int(raw_floor)
    if raw_floor and (
        floor_id is None
        or not session.execute(
            select(Floor.id).where(Floor.id == floor_id, Floor.conference_id == conference.id)
        ).first()
    ):
        errors["floor"] = "Choose a floor of this venue."
    raw_capacity = str(values.get("capacity", "")).strip()
    capacity = small_int(raw_capacity)
    if raw_capacity and (capacity is None or capacity > 100_000):
        errors["capacity"] = "Enter the number of seats, or leave it empty."
    refuse(errors)
    return RoomInput(
        name, description, floor_id if raw_floor else None, capacity, _fingerprint(values)
    )


def role_input(conference: Conference, values: dict[str, Any]) -> RoleInput:
    """The form that gives someone a role, or Invalid naming each bad field."""
    errors: dict[str, str] = {}
    email = str(values.get("email", "")).strip().lower()
    kind = str(values.get("kind", ""))
    track = None
    if kind not in (RoleKind.ORGANISER.value, RoleKind.HOST.value):
        errors["kind"] = "Choose organiser or track host."
    elif kind == RoleKind.HOST.value:
        track_id = small_int(str(values.get("track", "")))
        track = (
            session.execute(
                select(Track).where(Track.id == track_id, Track.conference_id == conference.id)
            ).scalar_one_or_none()
            if track_id is not None
            else None
        )
        if track is None:
            errors["track"] = "Choose the track they host."
    if "@" not in email:
        errors["email"] = "Enter their email address."
    refuse(errors)
    return RoleInput(email, RoleKind(kind), track, str(values.get("name", "")))
