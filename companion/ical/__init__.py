"""iCalendar export: one session, a track, the whole programme, and a private feed of my stars."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The calendar files and private feeds."""
    from companion.ical.views import bp

    app.register_blueprint(bp)
