"""The organiser's pages: the conference, tracks and hosts, rooms and floors, roles, audit log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The organiser's pages: one blueprint (`blueprint.bp`), whose routes are defined in `views`
    (conference, tracks, roles, users, audit) and `rooms` (rooms and floors)."""
    from companion.admin import rooms, views
    from companion.admin.blueprint import bp

    assert rooms.bp is bp and views.bp is bp  # both modules add their routes to it
    app.register_blueprint(bp)
