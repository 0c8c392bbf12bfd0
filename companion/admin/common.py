"""What the organiser's writes share: the organiser check, the fingerprint of a form's
starting point, field reading, audit rows and positions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from companion.accounts.models import User
from companion.db import session
from companion.errors import Conflict, Invalid
from companion.hosting.audit import subject_entries
from companion.parsing import is_plain_label
from companion.programme.models import Conference, Floor, Room, Speaker, Track, TrackHost
from companion.saving import fingerprint

#: What the conference form edits.
CONFERENCE_FIELDS = (
    "name",
    "venue",
    "address",
    "url",
    "timezone",
    "start_date",
    "end_date",
    "day_change_hour",
)


def fingerprint_of(thing: Conference | Track | Room | Floor) -> str:
    """What the organiser's form for `thing` starts from (see companion.saving.fingerprint)."""
    if isinstance(thing, Conference):
        return fingerprint({name: getattr(thing, name) for name in CONFERENCE_FIELDS})
    if isinstance(thing, Track):
        return fingerprint(
            {"name": thing.name, "colour": thing.colour, "hosts": host_names(thing.id)}
        )
    if isinstance(thing, Room):
        return fingerprint(
            {k: getattr(thing, k) for k in ("name", "floor_id", "capacity", "description")}
        )
    return fingerprint({"name": thing.name, "level": thing.level})


def unchanged_since_opened(thing: Conference | Track | Room | Floor, expected: str | None) -> None:
    """Refuse (409) a form that started from another version of `thing` than the stored one."""
    if expected is not None and expected != fingerprint_of(thing):
        raise Conflict(
            "Someone else saved this after you opened it. Your input is kept below; save again "
            "to replace what they saved."
        )


def refuse(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid("Some fields need changing.", details={"fields": errors})


def text_field(values: dict[str, Any], name: str, limit: int, errors: dict[str, str]) -> str:
    text = " ".join(str(values.get(name, "")).split())
    if len(text) > limit:
        errors[name] = f"Keep it under {limit} characters."
    elif text and not is_plain_label(text):
        errors[name] = "Use visible text, without invisible or direction-changing characters."
    return text


def record(
    conference: Conference,
    actor: User,
    subject: str,
    name: str,
    before: dict[str, Any],
    after: dict[str, Any],
    action: str = "update",
) -> None:
    session.add_all(subject_entries(conference, actor, subject, name, before, after, action=action))


def host_names(track_id: int) -> str:
    return ", ".join(
        session.execute(
            select(Speaker.name)
            .join(TrackHost, TrackHost.speaker_id == Speaker.id)
            .where(TrackHost.track_id == track_id)
            .order_by(TrackHost.position)
        ).scalars()
    )


def next_position(model: type[Track] | type[Room], conference_id: int) -> int:
    top = session.execute(
        select(func.max(model.position)).where(model.conference_id == conference_id)
    ).scalar()
    return (top or 0) + 1
