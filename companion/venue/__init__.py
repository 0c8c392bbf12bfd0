"""Venue maps: a map per floor (SVG or a raster image) and where each room is on it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The venue pages, the room-map lookup on programme pages, and maps and room places moving
    their conference's revision (their files are cached in `web.CACHES["maps"]`)."""
    from companion.programme import places, revision
    from companion.venue.models import FloorMap, RoomPlace
    from companion.venue.views import bp, room_on_map

    app.register_blueprint(bp)
    places.register(app, room_on_map)
    revision.watch(FloorMap, RoomPlace)
