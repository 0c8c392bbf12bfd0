"""Map changes move the conference's revision, like programme changes do (programme.revision):
cached pages, ETags and the offline copy on phones all follow it."""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from companion.programme.revision import bump
from companion.venue.models import FloorMap, RoomPlace


def install() -> None:
    """Bump the revision of a conference whenever one of its maps or room places changes."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def _after_flush(session: Session, _context: Any) -> None:
    conference_ids = {
        obj.conference_id
        for obj in chain(session.new, session.dirty, session.deleted)
        if isinstance(obj, FloorMap | RoomPlace)
        and (obj not in session.dirty or session.is_modified(obj))
    }
    bump(session, conference_ids)
