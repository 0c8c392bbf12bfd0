"""The session form: a talk as form values (in the conference's time zone), and form values back
as changes for hosting.operations. Parsing checks shape and ownership; the rules check meaning."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from companion.db import session
from companion.errors import Invalid
from companion.programme.models import Conference, Room, Speaker, Talk, TalkStatus, Track
from companion.programme.operations import InvalidProgramme, add_speaker
from companion.programme.queries import known_speaker_ids

Form = MultiDict[str, str]


def form_of(talk: Talk, conference: Conference, speaker_ids: list[int]) -> Form:
    """The form as it opens for an existing session."""
    start, end = conference.local(talk.start), conference.local(talk.end)
    values = MultiDict(
        {
            "title": talk.title,
            "abstract": talk.abstract,
            "kind": talk.kind,
            "track": str(talk.track_id or ""),
            "room": str(talk.room_id or ""),
            "day": conference.day_of(talk.start).isoformat(),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "status": talk.status,
            "version": str(talk.version),
        }
    )
    values.setlist("speakers", [str(i) for i in speaker_ids])
    return values


def blank_form(conference: Conference, *, track_id: int | None) -> Form:
    """The form as it opens for a new session (first day, 09:00–09:50, the given track)."""
    return MultiDict(
        {
            "title": "",
            "abstract": "",
            "kind": "talk",
            "track": str(track_id or ""),
            "room": "",
            "day": conference.start_date.isoformat(),
            "start": "09:00",
            "end": "09:50",
            "status": "scheduled",
        }
    )


def version_of(form: Form) -> int:
    """The version the form was opened at."""
    value = form.get("version", "")
    if not value.isdigit():
        raise Invalid("The form is incomplete.", details={"fields": {"form": "Reload the form."}})
    return int(value)


def parse(conference: Conference, form: Form) -> dict[str, Any]:
    """Changes for update_talk/create_talk. A new speaker typed in is created here, in the same
    transaction (rolled back with everything else if the save fails)."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {
        "title": form.get("title", "").strip(),
        "abstract": form.get("abstract", "").replace("\r\n", "\n"),
        "kind": form.get("kind", ""),
        "status": form.get("status", "scheduled"),
    }
    for name, model, key in (("room", Room, "room_id"), ("track", Track, "track_id")):
        changes[key] = _own(conference, model, form.get(name, ""), errors, key, name)
    changes["speaker_ids"] = _speakers(conference, form, errors)
    try:
        day = datetime.strptime(form.get("day", ""), "%Y-%m-%d").date()
        start = time.fromisoformat(form.get("start", ""))
        end = time.fromisoformat(form.get("end", ""))
    except ValueError:
        errors["start"] = "Enter the day as YYYY-MM-DD and times as HH:MM."
    else:
        # A programme day runs past midnight: a time before the day change hour is the next date.
        changes["start"] = _instant(conference, day, start)
        changes["end"] = _instant(conference, day, end)
    if errors:
        raise Invalid("Some fields need changing.", details={"fields": errors})
    return changes


def parse_move(conference: Conference, talk: Talk, form: Form) -> dict[str, Any]:
    """The quick action: another room and/or a shift by N minutes, or cancel / restore."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if "room" in form:  # absent: the room stays (a cancel button sends no room)
        changes["room_id"] = _own(conference, Room, form["room"], errors, "room_id", "room")
    raw = form.get("preset") or form.get("minutes") or "0"
    try:
        minutes = int(raw)
    except ValueError:
        errors["minutes"] = "Enter a whole number of minutes, e.g. 15 or -10."
    else:
        if abs(minutes) > 24 * 60:
            errors["minutes"] = "Shift by less than a day here; use the full form for more."
        elif minutes:
            changes["start"] = talk.start + timedelta(minutes=minutes)
            changes["end"] = talk.end + timedelta(minutes=minutes)
    status = form.get("status", "")
    if status in (TalkStatus.CANCELLED.value, TalkStatus.SCHEDULED.value):
        changes["status"] = status
    if errors:
        raise Invalid("Some fields need changing.", details={"fields": errors})
    return changes


def _instant(conference: Conference, day: Any, clock: time) -> datetime:
    date = day + timedelta(days=1) if clock.hour < conference.day_change_hour else day
    return datetime.combine(date, clock, tzinfo=conference.zone)


def _own(
    conference: Conference,
    model: type[Room] | type[Track],
    raw: str,
    errors: dict[str, str],
    key: str,
    name: str,
) -> int | None:
    if not raw:
        return None
    if (
        raw.isdigit()
        and session.execute(
            select(model.id).where(model.id == int(raw), model.conference_id == conference.id)
        ).first()
    ):
        return int(raw)
    errors[key] = f"Choose a {name} of this conference."
    return None


def _speakers(conference: Conference, form: Form, errors: dict[str, str]) -> list[int]:
    raw = [value for value in form.getlist("speakers") if value]
    wanted = [int(value) for value in raw if value.isdigit()]
    if len(wanted) != len(raw) or not set(wanted) <= known_speaker_ids(conference, wanted):
        errors["speakers"] = "Choose speakers of this conference."
        return []
    new_name = " ".join(form.get("new_speaker", "").split())
    if new_name and not errors:
        same = session.execute(
            select(Speaker.id).where(
                Speaker.conference_id == conference.id,
                func.lower(Speaker.name) == new_name.lower(),
            )
        ).scalar()
        try:
            wanted.append(same if same is not None else add_speaker(conference, new_name).id)
        except InvalidProgramme as error:
            errors["speakers"] = error.message
    return list(dict.fromkeys(wanted))
