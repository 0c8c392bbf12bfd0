"""What an editor asks to change in a session, as one typed value: the host's forms
(`hosting.forms`) and the editing API both build it, and `hosting.operations` applies it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from typing import Any

from companion.programme.links import LinkInput


class _Unset(Enum):
    UNSET = "unset"


#: "Leave this field as it is" (None is a value of its own: no room, no track).
UNSET = _Unset.UNSET


@dataclass(frozen=True, kw_only=True, slots=True)
class TalkChanges:
    """The fields to change; every field left UNSET stays as it is. The order of the fields is
    the order in which changes are audited."""

    title: str | _Unset = UNSET
    abstract: str | _Unset = UNSET
    kind: str | _Unset = UNSET
    track_id: int | _Unset | None = UNSET
    room_id: int | _Unset | None = UNSET
    start: datetime | _Unset = UNSET
    end: datetime | _Unset = UNSET
    status: str | _Unset = UNSET
    speaker_ids: list[int] | _Unset = UNSET
    #: Slides, recording, stream and other links, as programme.links.in_order keeps them.
    links: list[LinkInput] | _Unset = UNSET
    #: A speaker typed in by name: made (or found) and added by the operation, audited.
    new_speaker: str | None = None

    def given(self) -> dict[str, Any]:
        """The fields that are set, by name (what `update_talk` applies)."""
        return {name: value for name in EDITABLE if (value := getattr(self, name)) is not UNSET}


#: Fields an editor may change, in the order they are audited.
EDITABLE = tuple(f.name for f in fields(TalkChanges) if f.name != "new_speaker")
