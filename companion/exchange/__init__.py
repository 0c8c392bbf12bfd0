"""frab schedule XML and schedule.json: import and export.

Its URLs, and the module that answers each (`companion/exchange/<module>.py`):

| URL                                   | endpoint                      | module |
|---------------------------------------|-------------------------------|--------|
| GET      /<conf>/schedule.xml         | exchange.schedule_xml         | views  |
| GET      /<conf>/schedule.json        | exchange.schedule_json_export | views  |
| GET POST /<conf>/admin/import/        | exchange.import_schedule      | views  |
| POST     /<conf>/admin/import/confirm | exchange.confirm_import       | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The exports and the organiser's import pages."""
    from companion.exchange.views import bp

    app.register_blueprint(bp)
