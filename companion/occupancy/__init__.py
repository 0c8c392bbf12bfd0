"""Room full / open: a track host (or organiser) marks a room full from the phone in one tap;
every open room and session page shows it within a second (a live event of kind "room"), and it
clears itself when the session ends.

Its URLs, and the module that answers each (`companion/occupancy/<module>.py`):

| URL                                                | endpoint            | module |
|----------------------------------------------------|---------------------|--------|
| GET    /api/v1/conferences/<conf>/rooms/full        | occupancy.full_rooms | views  |
| PUT    /api/v1/conferences/<conf>/rooms/<slug>/full | occupancy.mark_full  | views  |
| DELETE /api/v1/conferences/<conf>/rooms/<slug>/full | occupancy.mark_open  | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The room status API."""
    from companion.occupancy.views import bp

    app.register_blueprint(bp)
