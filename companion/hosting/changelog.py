"""The public changelog: what was added, moved, retimed, cancelled, restored or removed, newest
first, built from the audit log (pure functions over its rows, plus one query)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from companion.db import session
from companion.hosting.models import AuditEntry
from companion.programme.models import Conference, Talk

#: Fields attendees care about (a typo fix in a title or abstract is not news).
PUBLIC_FIELDS = ("room", "start", "end", "status")


@dataclass(slots=True)
class Change:
    """One save of one session, as the changelog shows it."""

    at: datetime
    talk_guid: str
    talk_title: str
    lines: list[str] = field(default_factory=list)
    cancelled: bool = False
    #: Deleted since: there is no session page to link to.
    removed: bool = False


def _line(entry: AuditEntry) -> str:
    if entry.action == "create":
        return f"Added: {entry.new}" if entry.new else "Added"
    if entry.action == "delete":
        return f"Removed from the programme (was {entry.old})"
    if entry.field == "status":
        return "Cancelled" if entry.action == "cancel" else "Back on the programme"
    if entry.field == "room":
        return f"Moved from {entry.old or 'no room'} to {entry.new or 'no room'}"
    label = "Starts" if entry.field == "start" else "Ends"
    return f"{label} {entry.new} (was {entry.old})"


def changes(conference: Conference, *, limit: int = 200) -> list[Change]:
    """The latest public changes of a conference, one per saved session, newest first."""
    rows = session.execute(
        select(AuditEntry)
        .where(
            AuditEntry.conference_id == conference.id,
            AuditEntry.subject == "session",
            AuditEntry.field.in_(PUBLIC_FIELDS) | AuditEntry.action.in_(("create", "delete")),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit * 4)
    ).scalars()
    grouped: list[Change] = []
    for entry in rows:
        last = grouped[-1] if grouped else None
        same_save = (
            last is not None
            and last.talk_guid == entry.talk_guid
            and abs((last.at - entry.at).total_seconds()) < 1
        )
        if not same_save:
            if len(grouped) == limit:
                break
            grouped.append(Change(entry.at, entry.talk_guid or "", entry.talk_title))
        grouped[-1].lines.insert(0, _line(entry))
        grouped[-1].cancelled |= entry.action in ("cancel", "delete")
        grouped[-1].removed |= entry.action == "delete"
    guids = {change.talk_guid for change in grouped}
    existing = set(
        session.execute(select(Talk.guid).where(Talk.guid.in_(guids))).scalars() if guids else ()
    )
    for change in grouped:
        change.removed |= change.talk_guid not in existing  # deleted since: nothing to link to
    return grouped
