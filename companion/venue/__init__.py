"""Venue maps: a map per floor (SVG or a raster image) and where each room is on it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The venue pages, the rendered-map cache, the room-map lookup on programme pages, and maps
    and room places moving their conference's revision."""
    from companion.programme import places, revision
    from companion.venue.models import FloorMap, RoomPlace
    from companion.venue.views import MAP_CACHE_SIZE, bp, room_on_map
    from companion.web import PageCache

    app.register_blueprint(bp)
    app.extensions["companion.map_cache"] = PageCache(MAP_CACHE_SIZE)
    places.register(app, room_on_map)
    revision.watch(FloorMap, RoomPlace)
