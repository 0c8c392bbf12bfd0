"""Named reads of floors, maps and room places. Each says which page uses it; the number of
queries never depends on the number of floors or rooms."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from companion.db import session
from companion.errors import NotFound
from companion.programme.models import Conference, Floor, Room
from companion.venue.models import FloorMap, MapKind, RoomPlace
from companion.venue.render import PlacedRoom


@dataclass(frozen=True, slots=True)
class FloorPlan:
    """A floor, its map (if any) and its rooms with their places."""

    floor: Floor
    map: FloorMap | None
    rooms: list[PlacedRoom]
    #: Where the map file is served (None without a map).
    map_url: str | None

    @property
    def placed(self) -> list[PlacedRoom]:
        """Rooms drawn on the map (the rest are listed in text only)."""
        if self.map is None:
            return []
        svg = self.map.map_kind is MapKind.SVG
        return [r for r in self.rooms if (r.shape_id if svg else r.points)]


def map_url(conference: Conference, floor: Floor, floor_map: FloorMap | None) -> str | None:
    """The address of a floor's map file (`/<conf>/venue/floors/<slug>.<ext>`)."""
    if floor_map is None:
        return None
    return url_for("venue.floor_map", conf=conference.slug, slug=floor.slug, ext=floor_map.kind)


def floor_plans(conference: Conference) -> list[FloorPlan]:
    """Every floor with its map and rooms, lowest first (the venue page, the admin page):
    four queries whatever the number of floors."""
    floors = list(
        session.execute(
            select(Floor)
            .where(Floor.conference_id == conference.id)
            .options(selectinload(Floor.rooms))
            .order_by(Floor.level, Floor.name)
        ).scalars()
    )
    maps = {
        m.floor_id: m
        for m in session.execute(
            select(FloorMap).where(FloorMap.conference_id == conference.id)
        ).scalars()
    }
    places = {
        p.room_id: p
        for p in session.execute(
            select(RoomPlace).where(RoomPlace.conference_id == conference.id)
        ).scalars()
    }
    return [
        FloorPlan(
            floor,
            maps.get(floor.id),
            [_placed(room, places.get(room.id)) for room in floor.rooms],
            map_url(conference, floor, maps.get(floor.id)),
        )
        for floor in floors
    ]


def _placed(room: Room, place: RoomPlace | None) -> PlacedRoom:
    return PlacedRoom(
        id=room.id,
        slug=room.slug,
        name=room.name,
        shape_id=place.shape_id if place else None,
        points=place.points if place else None,
    )


def floor_plan_of(conference: Conference, room: Room) -> FloorPlan | None:
    """The plan of the room's floor, when it has a map (the room and session pages, "Where
    next?"): two queries; `room.floor` must be loaded."""
    if room.floor is None:
        return None
    floor_map = session.execute(
        select(FloorMap).where(FloorMap.floor_id == room.floor.id)
    ).scalar_one_or_none()
    if floor_map is None:
        return None
    rows = session.execute(
        select(Room, RoomPlace)
        .outerjoin(RoomPlace, RoomPlace.room_id == Room.id)
        .where(Room.floor_id == room.floor.id)
        .order_by(Room.position, Room.name)
    ).all()
    return FloorPlan(
        room.floor,
        floor_map,
        [_placed(r, p) for r, p in rows],
        map_url(conference, room.floor, floor_map),
    )


def get_map_or_404(conference_id: int, slug: str, ext: str) -> FloorMap:
    """The map of floor `slug`, if it is stored as `ext` (the map file)."""
    floor_map = session.execute(
        select(FloorMap)
        .join(Floor, Floor.id == FloorMap.floor_id)
        .where(FloorMap.conference_id == conference_id, Floor.slug == slug, FloorMap.kind == ext)
    ).scalar_one_or_none()
    if floor_map is None:
        raise NotFound("This floor has no such map.")
    return floor_map


def places_on(floor: Floor) -> dict[int, RoomPlace]:
    """The places of the floor's rooms, by room id (the admin forms)."""
    return {
        p.room_id: p
        for p in session.execute(
            select(RoomPlace)
            .join(Room, Room.id == RoomPlace.room_id)
            .where(Room.floor_id == floor.id)
        ).scalars()
    }


def offline_urls(conference: Conference) -> list[str]:
    """The venue page and every map file (the offline copy): one query."""
    rows = session.execute(
        select(Floor.slug, FloorMap.kind)
        .join(FloorMap, FloorMap.floor_id == Floor.id)
        .where(Floor.conference_id == conference.id)
        .order_by(Floor.level, Floor.slug)
    ).all()
    return [
        url_for("venue.venue", conf=conference.slug),
        *(url_for("venue.floor_map", conf=conference.slug, slug=s, ext=k) for s, k in rows),
    ]


def places_of(floor: Floor) -> str:
    """Where the floor's rooms are on its map, as the audit log shows it ("Fleming: #fleming")."""
    rows = session.execute(
        select(Room.name, RoomPlace.shape_id, RoomPlace.points)
        .join(RoomPlace, RoomPlace.room_id == Room.id)
        .where(Room.floor_id == floor.id)
        .order_by(Room.name)
    ).all()
    return "; ".join(f"{name}: {f'#{shape}' if shape else points}" for name, shape, points in rows)
