"""The session form: a talk as form values (in the conference's time zone), and form values back
as changes for hosting.operations. Parsing checks shape and ownership; the rules check meaning."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from companion.db import session
from companion.errors import Invalid
from companion.hosting.talk_changes import TalkChanges
from companion.parsing import is_plain_label, local_instant, small_int
from companion.programme.links import (
    MAX_LINKS,
    SESSION_KINDS,
    LinkError,
    LinkInput,
    link_input,
    speaker_kind,
)
from companion.programme.models import Conference, Room, Talk, TalkStatus, Track
from companion.programme.queries import known_speaker_ids

Form = MultiDict[str, str]


def form_of(
    talk: Talk,
    conference: Conference,
    speaker_ids: list[int],
    links: list[LinkInput] | None = None,
) -> Form:
    """The form as it opens for an existing session (with its `links`, in order)."""
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
    _set_links(values, links or [])
    return values


def _set_links(values: Form, links: list[LinkInput]) -> None:
    """The link rows: the session's links, then a blank row for each of slides, recording and
    stream it has none of, and one for another link."""
    kinds = {link.kind for link in links}
    blanks = [LinkInput(kind, "") for kind in SESSION_KINDS if kind not in kinds or kind == "other"]
    rows = [*links, *blanks]
    values.setlist("link_kind", [link.kind for link in rows])
    values.setlist("link_url", [link.url for link in rows])
    values.setlist("link_title", [link.title for link in rows])


def link_rows(form: Form) -> list[tuple[str, str, str]]:
    """The form's link rows as (kind, url, title), for the template."""
    kinds, urls, titles = (form.getlist(f"link_{name}") for name in ("kind", "url", "title"))
    return [
        (kind, urls[n] if n < len(urls) else "", titles[n] if n < len(titles) else "")
        for n, kind in enumerate(kinds)
    ]


def speaker_form(links: list[LinkInput]) -> Form:
    """The speaker's links form: their links, then two blank rows (kind found from the
    address)."""
    values: Form = MultiDict()
    rows = [*links, LinkInput("", ""), LinkInput("", "")]
    values.setlist("link_kind", [link.kind for link in rows])
    values.setlist("link_url", [link.url for link in rows])
    values.setlist("link_title", [link.title for link in rows])
    return values


def parse_speaker_links(form: Form) -> list[LinkInput]:
    """A speaker's links from their form (a row without a kind takes it from its address)."""
    errors: dict[str, str] = {}
    found = _links(form, errors, owner="speaker")
    if errors:
        raise Invalid("Some links need changing.", details={"fields": errors})
    return list(dict.fromkeys(found))


def _links(form: Form, errors: dict[str, str], *, owner: str = "session") -> list[LinkInput]:
    found: list[LinkInput] = []
    for number, (kind, url, title) in enumerate(link_rows(form), start=1):
        if not url.strip() and not title.strip():
            continue
        if owner == "speaker" and not kind:
            kind = speaker_kind(url.strip())
        try:
            found.append(link_input(kind, url, title, owner=owner))
        except LinkError as error:
            errors.setdefault("links", f"Link {number}: {error.message}")
    if len(found) > MAX_LINKS:
        errors.setdefault("links", f"At most {MAX_LINKS} links, please.")
    return found


def blank_form(conference: Conference, *, track_id: int | None) -> Form:
    """The form as it opens for a new session (first day, 09:00–09:50, the given track)."""
    values: Form = MultiDict(
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
    _set_links(values, [])
    return values


def version_of(form: Form) -> int:
    """The version the form was opened at."""
    value = small_int(form.get("version", ""))
    if value is None:
        raise Invalid("The form is incomplete.", details={"fields": {"form": "Reload the form."}})
    return value


def parse(conference: Conference, form: Form, *, current: Talk | None = None) -> TalkChanges:
    """Changes for update_talk/create_talk (a new speaker typed in comes as `new_speaker`). Times
    left as the form showed them keep `current`'s instants (an hour that happens twice stays the
    one it was)."""
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
    if "link_url" in form:
        changes["links"] = _links(form, errors)
    new_speaker = " ".join(form.get("new_speaker", "").split())
    if new_speaker and (not is_plain_label(new_speaker) or len(new_speaker) > 200):
        errors["new_speaker"] = "Type the name on one line, in under 200 characters."
    elif new_speaker:
        changes["new_speaker"] = new_speaker  # made (or found) by the operation, audited
    shown = form_of(current, conference, []) if current is not None else {}
    try:
        day = datetime.strptime(form.get("day", ""), "%Y-%m-%d").date()
        clocks = {name: time.fromisoformat(form.get(name, "")) for name in ("start", "end")}
    except ValueError:
        errors["start"] = "Enter the day as YYYY-MM-DD and times as HH:MM."
    else:
        if day not in conference.days:
            errors["start"] = "Choose one of the conference's days."
        for name, clock in clocks.items():
            if errors.get("start"):
                break
            if current is not None and (form.get("day"), form.get(name)) == (
                shown["day"],
                shown[name],
            ):
                changes[name] = getattr(current, name)
                continue
            instant = _instant(conference, day, clock)
            if instant is None:
                errors[name] = (
                    f"{clock:%H:%M} does not exist on that day: the clocks go forward. "
                    "Choose a time after the change."
                )
            else:
                changes[name] = instant
    if errors:
        raise Invalid("Some fields need changing.", details={"fields": errors})
    return TalkChanges(**changes)


def parse_move(conference: Conference, talk: Talk, form: Form) -> TalkChanges:
    """The quick action: another room and/or a shift by N minutes; or, from its own button and
    nothing else, cancel / restore."""
    status = form.get("status", "")
    if status:
        if status not in (TalkStatus.CANCELLED.value, TalkStatus.SCHEDULED.value):
            raise Invalid("A session is scheduled or cancelled.")
        return TalkChanges(status=status)
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if "room" in form:
        changes["room_id"] = _own(conference, Room, form["room"], errors, "room_id", "room")
    minutes = small_int(form.get("preset") or form.get("minutes") or "0", signed=True)
    if minutes is None:
        errors["minutes"] = "Enter a whole number of minutes, e.g. 15 or -10."
    elif abs(minutes) > 24 * 60:
        errors["minutes"] = "Shift by less than a day here; use the full form for more."
    elif minutes:
        changes["start"] = talk.start + timedelta(minutes=minutes)
        changes["end"] = talk.end + timedelta(minutes=minutes)
    if errors:
        raise Invalid("Some fields need changing.", details={"fields": errors})
    return TalkChanges(**changes)


def _instant(conference: Conference, day: date, clock: time) -> datetime | None:
    # A programme day runs past midnight: a time before the day change hour is the next date.
    date_ = day + timedelta(days=1) if clock.hour < conference.day_change_hour else day
    return local_instant(date_, clock, conference.zone)


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
    wanted = small_int(raw)
    if (
        wanted is not None
        and session.execute(
            select(model.id).where(model.id == wanted, model.conference_id == conference.id)
        ).first()
    ):
        return wanted
    errors[key] = f"Choose a {name} of this conference."
    return None


def _speakers(conference: Conference, form: Form, errors: dict[str, str]) -> list[int]:
    raw = [value for value in form.getlist("speakers") if value]
    wanted = [n for n in map(small_int, raw) if n is not None]
    if len(wanted) != len(raw) or not set(wanted) <= known_speaker_ids(conference, wanted):
        errors["speakers"] = "Choose speakers of this conference."
        return []
    return list(dict.fromkeys(wanted))
