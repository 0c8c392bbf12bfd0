"""Writes: put a floor's map in (checked and sanitised first), place rooms on it, take it out.
Operations flush and never commit; a refused upload raises before anything is changed, so the
old map stays."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from companion.db import session, utcnow
from companion.errors import Invalid
from companion.programme.models import Conference, Floor, Room
from companion.venue.models import FloorMap, MapKind, RoomPlace
from companion.venue.queries import places_on
from companion.venue.sanitise import MAX_BYTES, CheckedMap, check_upload, shape_ids

#: Most corners a room's polygon may have.
MAX_POINTS = 200
_POINT = re.compile(r"(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class PutResult:
    """What a new map changed: which rooms are on it, which are not (yet)."""

    floor_map: FloorMap
    placed: list[str]
    unplaced: list[str]


def put_map(
    floor: Floor, data: bytes, *, filename: str = "", max_bytes: int = MAX_BYTES
) -> PutResult:
    """Store `data` as the map of `floor` (replacing any), after checking and sanitising it.

    Rooms keep their place when the new map still has it (same shape id; a polygon inside the
    new image); rooms without a place are matched to a shape whose id is the room's slug or
    "room-<slug>"."""
    checked = check_upload(data, max_bytes=max_bytes)
    # Read first, then change: one flush, so the revision moves once.
    places = places_on(floor)
    floor_map = session.get(FloorMap, floor.id)
    if floor_map is None:
        floor_map = FloorMap(floor_id=floor.id, conference_id=floor.conference_id)
        session.add(floor_map)
    floor_map.kind = checked.kind.value
    floor_map.content = checked.content
    floor_map.view_box = checked.view_box
    floor_map.width = checked.width
    floor_map.height = checked.height
    floor_map.filename = filename[:200]
    floor_map.uploaded_at = utcnow()
    placed, unplaced = [], []
    for room in floor.rooms:
        place = places.get(room.id)
        if checked.kind is MapKind.SVG:
            shape = place.shape_id if place and place.shape_id in checked.shape_ids else None
            shape = shape or _matching_shape(room, checked.shape_ids)
            points = None
        else:
            shape = None
            points = place.points if place and _fits(place.points, checked) else None
        if shape is None and points is None:
            if place is not None:
                session.delete(place)
            unplaced.append(room.name)
            continue
        if place is None:
            place = RoomPlace(room_id=room.id, conference_id=room.conference_id)
            session.add(place)
        place.shape_id, place.points = shape, points
        placed.append(room.name)
    session.flush()
    return PutResult(floor_map, placed, unplaced)


def _matching_shape(room: Room, ids: tuple[str, ...]) -> str | None:
    wanted = {room.slug.lower(), f"room-{room.slug}".lower(), f"room_{room.slug}".lower()}
    return next((shape for shape in ids if shape.lower() in wanted), None)


def _fits(points: str | None, checked: CheckedMap) -> bool:
    if not points:
        return False
    return all(0 <= x <= checked.width and 0 <= y <= checked.height for x, y in _pairs(points))


def _pairs(points: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in _POINT.findall(points)]


def place_rooms(floor: Floor, floor_map: FloorMap, choices: dict[int, str]) -> None:
    """Set where each room of `floor` is: a shape id (SVG) or "x,y x,y …" (image), "" for
    nowhere. Everything is checked first; Invalid names each bad field and changes nothing."""
    rooms = {room.id: room for room in floor.rooms}
    errors: dict[str, str] = {}
    wanted: dict[int, tuple[str | None, str | None]] = {}
    svg = floor_map.map_kind is MapKind.SVG
    known = set(shape_ids(floor_map.content)) if svg else set()
    taken: dict[str, str] = {}
    for room_id, raw in choices.items():
        room = rooms.get(room_id)
        if room is None:
            errors[f"room-{room_id}"] = "This room is not on this floor."
            continue
        value = raw.strip()
        if not value:
            wanted[room_id] = (None, None)
        elif svg:
            if value not in known:
                errors[f"room-{room_id}"] = f"The map has no shape with the id “{value[:60]}”."
            elif value in taken:
                errors[f"room-{room_id}"] = f"That shape is already {taken[value]}."
            else:
                taken[value] = room.name
                wanted[room_id] = (value, None)
        else:
            try:
                wanted[room_id] = (None, normalise_points(value, floor_map))
            except ValueError as error:
                errors[f"room-{room_id}"] = str(error)
    if errors:
        raise Invalid("Some rooms could not be placed: see below.", details={"fields": errors})
    places = places_on(floor)
    for room_id, (shape, points) in wanted.items():
        place = places.get(room_id)
        if shape is None and points is None:
            if place is not None:
                session.delete(place)
            continue
        if place is None:
            place = RoomPlace(room_id=room_id, conference_id=floor.conference_id)
            session.add(place)
        place.shape_id, place.points = shape, points
    session.flush()


def normalise_points(value: str, floor_map: FloorMap) -> str:
    """ "x,y x,y …" inside the image, at least three corners, as the map stores them."""
    leftover = _POINT.sub("", value).replace(";", " ").strip()
    if leftover:
        raise ValueError("Write the corners as x,y pairs separated by spaces: 10,10 200,10 200,90")
    pairs = _pairs(value)
    if len(pairs) < 3:
        raise ValueError("A room needs at least three corners.")
    if len(pairs) > MAX_POINTS:
        raise ValueError(f"A room may have at most {MAX_POINTS} corners.")
    for x, y in pairs:
        if not (0 <= x <= floor_map.width and 0 <= y <= floor_map.height):
            raise ValueError(
                f"The corner {x:g},{y:g} is outside the image "
                f"({floor_map.width}×{floor_map.height} pixels)."
            )
    return " ".join(f"{x:g},{y:g}" for x, y in pairs)


def remove_map(floor: Floor) -> None:
    """Take the floor's map out, and with it its rooms' places."""
    for place in places_on(floor).values():
        session.delete(place)
    floor_map = session.get(FloorMap, floor.id)
    if floor_map is not None:
        session.delete(floor_map)
    session.flush()


def load_demo_maps(conference: Conference) -> int:
    """Give each floor without a map the demo's drawing of it (`companion/demo/maps/<slug>.svg`),
    through the same checks as an upload; returns how many were added."""
    folder = resources.files("companion.demo") / "maps"
    session.flush()
    floors = session.execute(
        select(Floor)
        .where(Floor.conference_id == conference.id)
        .options(selectinload(Floor.rooms))
        .order_by(Floor.level)
        .execution_options(populate_existing=True)
    ).scalars()
    added = 0
    for floor in list(floors):
        drawing = folder / f"{floor.slug}.svg"
        if not drawing.is_file() or session.get(FloorMap, floor.id) is not None:
            continue
        put_map(floor, drawing.read_bytes(), filename=f"{floor.slug}.svg")
        added += 1
    return added
