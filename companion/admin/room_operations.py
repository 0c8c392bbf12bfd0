"""The organiser's writes to the venue: floors and rooms (the maps are companion.venue's).
Like every admin write: check, validate everything, audit, flush; never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from companion.accounts.models import User
from companion.accounts.permissions import Need, require
from companion.admin.common import (
    next_position,
    record,
    unchanged_since_opened,
)
from companion.admin.forms import FloorInput, RoomInput
from companion.db import session
from companion.errors import Invalid
from companion.programme.models import Conference, Floor, Room, Talk
from companion.programme.operations import unique_slug
from companion.venue.models import RoomPlace


def save_floor(
    conference: Conference, floor: Floor | None, data: FloorInput, *, actor: User
) -> Floor:
    """Create or change a floor: its name and level (0 is the ground floor)."""
    require(actor, conference.id, Need.ORGANISER)
    if floor is not None:
        unchanged_since_opened(floor, data.fingerprint)
    name, number = data.name, data.level
    before = {"name": floor.name, "level": floor.level} if floor else {}
    if floor is None:
        floor = Floor(conference_id=conference.id, slug=unique_slug(Floor, conference.id, name))
        session.add(floor)
    floor.name, floor.level = name, number
    record(
        conference,
        actor,
        "floor",
        name,
        before,
        {"name": name, "level": number},
        "update" if before else "create",
    )
    session.flush()
    return floor


def delete_floor(conference: Conference, floor: Floor, *, actor: User) -> None:
    """Remove a floor with no rooms on it."""
    require(actor, conference.id, Need.ORGANISER)
    if session.execute(select(Room.id).where(Room.floor_id == floor.id)).first():
        raise Invalid(f"Rooms are still on {floor.name}: put them on another floor first.")
    record(conference, actor, "floor", floor.name, {"name": floor.name}, {}, "delete")
    session.delete(floor)
    session.flush()


def save_room(conference: Conference, room: Room | None, data: RoomInput, *, actor: User) -> Room:
    """Create or change a room: name, floor, capacity and how to find it."""
    require(actor, conference.id, Need.ORGANISER)
    if room is not None:
        unchanged_since_opened(room, data.fingerprint)
    name, floor_id = data.name, data.floor_id
    capacity, description = data.capacity, data.description
    after = {"name": name, "floor_id": floor_id, "capacity": capacity, "description": description}
    if room is None:
        room = Room(
            conference_id=conference.id,
            slug=unique_slug(Room, conference.id, name),
            position=next_position(Room, conference.id),
        )
        session.add(room)
        before: dict[str, Any] = {}
    else:
        before = {key: getattr(room, key) for key in after}
        if before["floor_id"] != floor_id:
            # Its place on the old floor's map means nothing on another floor's map.
            session.execute(delete(RoomPlace).where(RoomPlace.room_id == room.id))
    for key, value in after.items():
        setattr(room, key, value)
    record(
        conference,
        actor,
        "room",
        name,
        _floor_names(before),
        _floor_names(after),
        "update" if before else "create",
    )
    session.flush()
    return room


def delete_room(conference: Conference, room: Room, *, actor: User) -> None:
    """Remove a room no session uses."""
    require(actor, conference.id, Need.ORGANISER)
    count = session.execute(select(func.count()).where(Talk.room_id == room.id)).scalar_one()
    if count:
        raise Invalid(
            f"{count} session{'s are' if count != 1 else ' is'} in {room.name}: move "
            f"{'them' if count != 1 else 'it'} to another room first."
        )
    record(conference, actor, "room", room.name, {"name": room.name}, {}, "delete")
    session.delete(room)
    session.flush()


def _floor_names(values: dict[str, Any]) -> dict[str, Any]:
    """Room values with the floor by name, as the audit log shows them."""
    if not values:
        return {}
    floor = session.get(Floor, values["floor_id"]) if values.get("floor_id") else None
    rest = {key: value for key, value in values.items() if key != "floor_id"}
    return rest | {"floor": floor.name if floor else None}
