"""iCalendar export: one session, a track, the whole programme, and a private feed of my stars.

Its URLs, and the module that answers each (`companion/ical/<module>.py`):

| URL                             | endpoint          | module |
|---------------------------------|-------------------|--------|
| GET /<conf>/sessions/<guid>.ics | ical.session_ics  | views  |
| GET /<conf>/tracks/<slug>.ics   | ical.track_ics    | views  |
| GET /<conf>/schedule.ics        | ical.schedule_ics | views  |
| GET /feeds/<token>.ics          | ical.private_feed | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The calendar files and private feeds."""
    from companion.ical.views import bp

    app.register_blueprint(bp)
