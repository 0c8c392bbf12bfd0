"""The small map of a room's floor, on room and session pages and My schedule's "Where next?".

`programme` imports no other feature, so the venue feature registers the lookup when its blueprint
is registered (as features join a sign-in merge through `accounts.operations.on_merge`). Without
it, or for a room whose floor has no map, pages show the room's text description alone.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from companion.programme.models import Conference, Room

#: Builds what `templates/venue/_room_map.html` shows, or None when there is no map.
RoomMapLookup = Callable[[Conference, Room], object | None]

_KEY = "companion.room_map"


def register(app: Flask, lookup: RoomMapLookup) -> None:
    """Let `lookup` draw rooms on their floor's map."""
    app.extensions[_KEY] = lookup


def room_map(conference: Conference, room: Room | None) -> object | None:
    """The map of `room` (its floor must be loaded), or None."""
    lookup: RoomMapLookup | None = current_app.extensions.get(_KEY)
    if lookup is None or room is None or room.floor_id is None:
        return None
    return lookup(conference, room)
