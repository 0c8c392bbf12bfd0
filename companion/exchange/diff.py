"""What an import would change, as people read it (the CLI prints it, the upload page shows it,
and its field changes become the audit rows)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field, old → new, as display strings."""

    field: str
    old: str | None
    new: str | None


@dataclass(slots=True)
class SessionChange:
    """A session the import creates, changes or cancels."""

    guid: str
    title: str
    #: For a new session: when and where; for a changed one: what changes.
    summary: str = ""
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(slots=True)
class Diff:
    """Everything an import changes, by kind of thing."""

    new_conference: str | None = None
    conference: list[FieldChange] = field(default_factory=list)
    new_sessions: list[SessionChange] = field(default_factory=list)
    changed_sessions: list[SessionChange] = field(default_factory=list)
    cancelled_sessions: list[SessionChange] = field(default_factory=list)
    new_rooms: list[str] = field(default_factory=list)
    renamed_rooms: list[FieldChange] = field(default_factory=list)
    removed_rooms: list[str] = field(default_factory=list)
    #: A room's capacity or description, a track's colour: field is "<name>: capacity" etc.
    changed_details: list[FieldChange] = field(default_factory=list)
    new_tracks: list[str] = field(default_factory=list)
    removed_tracks: list[str] = field(default_factory=list)
    new_speakers: list[str] = field(default_factory=list)
    changed_speakers: list[FieldChange] = field(default_factory=list)
    removed_speakers: list[str] = field(default_factory=list)
    #: Things worth knowing that change nothing (repeated guids made unique, a guessed zone).
    notes: list[str] = field(default_factory=list)
    #: The conference's dates before and after ("2 March 2020 to 4 March 2020"); None before
    #: for a new conference.
    dates: tuple[str | None, str] | None = None
    #: The dates the import adds to an existing conference, as ranges.
    added_days: list[str] = field(default_factory=list)
    #: Speakers' photos the import will fetch (exchange.photos; the notes say more).
    photos_to_fetch: int = 0
    #: Why this import needs an explicit confirmation (exchange.safety); empty when it does not.
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when applying would write nothing."""
        return not (
            self.new_conference
            or self.conference
            or self.new_sessions
            or self.changed_sessions
            or self.cancelled_sessions
            or self.new_rooms
            or self.renamed_rooms
            or self.changed_details
            or self.new_tracks
            or self.new_speakers
            or self.changed_speakers
            or self.photos_to_fetch
        )

    def counts(self) -> list[tuple[str, int]]:
        """(label, number) for every non-empty group, in reading order."""
        groups = [
            ("new sessions", len(self.new_sessions)),
            ("changed sessions", len(self.changed_sessions)),
            ("cancelled sessions (gone from the file)", len(self.cancelled_sessions)),
            ("new rooms", len(self.new_rooms)),
            ("renamed rooms", len(self.renamed_rooms)),
            ("rooms no longer in the file (kept)", len(self.removed_rooms)),
            ("changed room and track details", len(self.changed_details)),
            ("new tracks", len(self.new_tracks)),
            ("tracks no longer in the file (kept)", len(self.removed_tracks)),
            ("new speakers", len(self.new_speakers)),
            ("changed speakers", len(self.changed_speakers)),
            ("speakers no longer in the file (kept)", len(self.removed_speakers)),
        ]
        return [(label, count) for label, count in groups if count]

    def summary(self) -> str:
        """One line: "3 new sessions, 1 changed session …" or "No changes."."""
        if self.empty:
            return "No changes: the programme already matches the file."
        parts = [f"{count} {label}" for label, count in self.counts()]
        if self.photos_to_fetch and not (parts or self.new_conference or self.conference):
            return "No change to the programme itself, only speakers’ photos."
        head = f"New conference {self.new_conference}. " if self.new_conference else ""
        return head + ", ".join(parts) + "."

    def lines(self, *, limit: int = 50) -> list[str]:
        """The diff as text, at most `limit` entries per group."""
        out = [self.summary()]
        if self.dates and self.dates[0] and self.dates[0] != self.dates[1]:
            out.append(f"Dates: {self.dates[0]} → {self.dates[1]}")
        out += [f"WARNING: {warning}" for warning in self.warnings]
        out += [f"  ! {note}" for note in self.notes]
        for change in self.conference:
            out.append(f"  ~ conference {change.field}: {change.old} → {change.new}")
        sections: list[tuple[str, str, list[str]]] = [
            ("Days added", "+", self.added_days),
            ("New rooms", "+", self.new_rooms),
            ("Renamed rooms", "~", [f"{c.old} → {c.new}" for c in self.renamed_rooms]),
            ("Rooms no longer in the file (kept)", "-", self.removed_rooms),
            (
                "Changed room and track details",
                "~",
                [f"{c.field}: {short(c.old)} → {short(c.new)}" for c in self.changed_details],
            ),
            ("New tracks", "+", self.new_tracks),
            ("Tracks no longer in the file (kept)", "-", self.removed_tracks),
            ("New speakers", "+", self.new_speakers),
            (
                "Changed speakers",
                "~",
                [f"{c.old}: {c.field} changes" for c in self.changed_speakers],
            ),
            ("Speakers no longer in the file (kept)", "-", self.removed_speakers),
            ("New sessions", "+", [f"{s.title} ({s.summary})" for s in self.new_sessions]),
            (
                "Changed sessions",
                "~",
                [
                    f"{s.title}: "
                    + "; ".join(f"{c.field} {short(c.old)} → {short(c.new)}" for c in s.changes)
                    for s in self.changed_sessions
                ],
            ),
            (
                "Cancelled sessions (gone from the file)",
                "-",
                [f"{s.title} ({s.summary})" for s in self.cancelled_sessions],
            ),
        ]
        for title, mark, items in sections:
            if not items:
                continue
            out.append(f"{title} ({len(items)}):")
            out += [f"  {mark} {item}" for item in items[:limit]]
            if len(items) > limit:
                out.append(f"  … and {len(items) - limit} more")
        return out


def short(value: str | None, width: int = 60) -> str:
    """A display value cut to one short line."""
    if value is None or value == "":
        return "—"
    text = " ".join(value.split())
    return text if len(text) <= width else text[: width - 1] + "…"
