"""frab schedule XML and schedule.json: import and export."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The exports and the organiser's import pages."""
    from companion.exchange.views import bp

    app.register_blueprint(bp)
