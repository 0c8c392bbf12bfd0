"""What an import wants and what it would change, checked but not written: made by
`importer.plan_import`, compared by `compare`, reviewed by `safety`, written by `apply`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from companion.exchange.diff import Diff
from companion.exchange.queries import Existing
from companion.programme.links import LinkInput
from companion.programme.models import Conference


@dataclass(slots=True)
class WantedTalk:
    """A session as the file wants it (room, track and speakers by name key)."""

    guid: str
    where: str
    title: str
    abstract: str
    kind: str
    room: str | None
    track: str | None
    speakers: list[str]
    start: datetime
    end: datetime
    #: Its links, checked and in order; None when the file gives none (the session's stay).
    links: list[LinkInput] | None = None


@dataclass(slots=True)
class PhotoPlan:
    """The file's speakers' photos (exchange.photos): how many it has, which to fetch (speaker
    name key, address), how many speakers keep theirs, and why the others are not fetched
    (reason → how many)."""

    in_file: int = 0
    fetch: list[tuple[str, str]] = field(default_factory=list)
    kept: int = 0
    refused: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class ImportPlan:
    """Everything checked and compared; `apply_import` writes it."""

    format: str
    conference: Conference | None
    values: dict[str, object]
    zone: ZoneInfo
    rooms: dict[str, str]
    tracks: dict[str, str]
    speakers: dict[str, tuple[str, str]]
    talks: list[WantedTalk]
    existing: Existing | None
    diff: Diff
    #: Room name key → (capacity, description) where the file declares them.
    room_details: dict[str, tuple[int | None, str]] = field(default_factory=dict)
    #: Track name key → colour where the file gives one.
    track_colours: dict[str, str] = field(default_factory=dict)
    #: Speaker name key → their links, where the file gives some (the others' links stay).
    speaker_links: dict[str, list[LinkInput]] = field(default_factory=dict)
    #: The speakers' photos to fetch on confirm (exchange.photos.review).
    photos: PhotoPlan | None = None
    #: The conference's revision the diff was computed against (the upload page checks it).
    revision: int | None = None
    _renames: dict[str, str] = field(default_factory=dict)
