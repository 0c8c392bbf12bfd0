"""The organiser's pages: the conference, tracks and hosts, rooms and floors, roles, audit log.

Its URLs, and the module that answers each (`companion/admin/<module>.py`):

| URL                                               | endpoint              | module |
|---------------------------------------------------|-----------------------|--------|
| GET      /<conf>/admin/                           | admin.index           | views  |
| GET POST /<conf>/admin/conference                 | admin.edit_conference | views  |
| GET POST /<conf>/admin/tracks/                    | admin.tracks          | views  |
| GET POST /<conf>/admin/tracks/<slug>              | admin.edit_track      | views  |
| POST     /<conf>/admin/tracks/<slug>/delete       | admin.delete_track    | views  |
| GET POST /<conf>/admin/roles/                     | admin.roles           | views  |
| POST     /<conf>/admin/roles/<int:role_id>/delete | admin.remove_role     | views  |
| GET      /<conf>/admin/users/                     | admin.users           | views  |
| GET      /<conf>/admin/audit/                     | admin.audit           | views  |
| GET      /<conf>/admin/rooms/                     | admin.rooms           | rooms  |
| POST     /<conf>/admin/rooms/                     | admin.add_room        | rooms  |
| POST     /<conf>/admin/floors/                    | admin.add_floor       | rooms  |
| GET POST /<conf>/admin/rooms/<slug>               | admin.edit_room       | rooms  |
| POST     /<conf>/admin/rooms/<slug>/delete        | admin.delete_room     | rooms  |
| GET POST /<conf>/admin/floors/<slug>              | admin.edit_floor      | rooms  |
| POST     /<conf>/admin/floors/<slug>/delete       | admin.delete_floor    | rooms  |

The other organiser's pages under /<conf>/admin/ belong to their features, and are in their
tables: venue (maps, /admin/venue/), exchange (/admin/import/), notify (/admin/notifications/).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The organiser's pages: one blueprint (`blueprint.bp`), whose routes are defined in `views`
    (conference, tracks, roles, users, audit) and `rooms` (rooms and floors)."""
    from companion.admin import rooms, views
    from companion.admin.blueprint import bp

    assert rooms.bp is bp and views.bp is bp  # both modules add their routes to it
    app.register_blueprint(bp)
