"""Venue maps: a map per floor (SVG or a raster image) and where each room is on it.

Its URLs, and the module that answers each (`companion/venue/<module>.py`):

| URL                                               | endpoint          | module |
|---------------------------------------------------|-------------------|--------|
| GET  /<conf>/venue/                               | venue.venue       | views  |
| GET  /<conf>/venue/floors/<slug>.<ext>            | venue.floor_map   | views  |
| GET  /<conf>/admin/venue/                         | venue.admin       | views  |
| POST /<conf>/admin/venue/floors/<slug>/map        | venue.upload_map  | views  |
| POST /<conf>/admin/venue/floors/<slug>/rooms      | venue.save_places | views  |
| POST /<conf>/admin/venue/floors/<slug>/map/delete | venue.delete_map  | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The venue pages, the room-map lookup on programme pages, and maps and room places moving
    their conference's revision (their files are cached in `caching.CACHES["maps"]`)."""
    from companion.programme import places, revision
    from companion.venue.models import FloorMap, RoomPlace
    from companion.venue.views import bp, room_on_map

    app.register_blueprint(bp)
    places.register(app, room_on_map)
    revision.watch(FloorMap, RoomPlace)
