"""The rules every edit of a session obeys, whoever makes it (form, quick action or API):
field checks first, then the room (refused when taken), then the speakers (a warning to confirm)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from companion.db import hold_row, session
from companion.errors import Invalid
from companion.parsing import has_controls, is_plain_label
from companion.programme.models import (
    Conference,
    Room,
    Talk,
    TalkKind,
    TalkSpeaker,
    TalkStatus,
)


def validate(
    talk_id: int | None, conference: Conference, after: dict[str, Any], *, confirmed: bool
) -> None:
    """Raise Invalid with field errors, or with warnings when `confirmed` is false; `talk_id` is
    None for a session not yet created."""
    errors: dict[str, str] = {}
    start, end = after["start"], after["end"]
    if not str(after["title"]).strip():
        errors["title"] = "A session needs a title."
    elif len(after["title"]) > 300:
        errors["title"] = "Keep the title under 300 characters."
    elif not is_plain_label(after["title"]):
        errors["title"] = (
            "Keep the title on one line of visible text, without tabs, invisible or "
            "direction-changing characters."
        )
    if has_controls(after["abstract"]):
        errors["abstract"] = "Remove the invisible control characters from the abstract."
    if after["kind"] not in TalkKind.__members__.values():
        errors["kind"] = "Choose keynote, talk, panel, workshop or break."
    if after["status"] not in TalkStatus.__members__.values():
        errors["status"] = "A session is scheduled or cancelled."
    if end <= start:
        errors["end"] = "The session must end after it starts."
    first, _ = conference.day_bounds(conference.start_date)
    _, last = conference.day_bounds(conference.end_date)
    if not (first <= start and end <= last):
        errors["start"] = (
            f"The session must take place during the conference "
            f"({conference.start_date} to {conference.end_date})."
        )
    if errors:
        raise Invalid("Some fields need changing.", details={"fields": errors})
    if after["status"] == TalkStatus.CANCELLED.value:
        return  # a cancelled session holds no room and keeps nobody busy
    if after["room_id"] is not None:
        # Hold the room until this transaction ends, so that two editors moving different
        # sessions into it at the same moment cannot both pass the check.
        hold_row(Room.__table__, after["room_id"])
        clash = _overlapping(conference, talk_id, start, end).where(
            Talk.room_id == after["room_id"]
        )
        other = session.execute(clash).scalars().first()
        if other is not None:
            raise Invalid(
                "The room is taken.",
                details={
                    "fields": {
                        "room_id": f"“{other.title}” is in this room then "
                        f"({conference.local(other.start):%H:%M}–"
                        f"{conference.local(other.end):%H:%M})."
                    }
                },
            )
    speaker_ids = list(after.get("speaker_ids") or [])
    if not speaker_ids or confirmed:
        return
    busy = (
        session.execute(
            _overlapping(conference, talk_id, start, end)
            .join(TalkSpeaker, TalkSpeaker.talk_id == Talk.id)
            .where(TalkSpeaker.speaker_id.in_(speaker_ids))
            .options(selectinload(Talk.speakers))
        )
        .scalars()
        .unique()
        .all()
    )
    if busy:
        wanted = set(speaker_ids)
        raise Invalid(
            "A speaker would be in two places at once.",
            details={
                "warnings": [
                    f"{_names(other, wanted)} also in “{other.title}” at that time "
                    f"({conference.local(other.start):%H:%M}–{conference.local(other.end):%H:%M})."
                    for other in busy
                ]
            },
        )


def _names(other: Talk, wanted: set[int]) -> str:
    names = sorted(s.name for s in other.speakers if s.id in wanted)
    return f"{', '.join(names)} {'is' if len(names) == 1 else 'are'}"


def _overlapping(
    conference: Conference, talk_id: int | None, start: datetime, end: datetime
) -> Select[Talk]:
    query = select(Talk).where(
        Talk.conference_id == conference.id,
        Talk.status == TalkStatus.SCHEDULED.value,
        Talk.start < end,
        Talk.end > start,
    )
    return query if talk_id is None else query.where(Talk.id != talk_id)
