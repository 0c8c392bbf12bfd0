"""The JSON API, version 1.

Its URLs, and the module that answers each (`companion/api/<module>.py`):

| URL                                      | endpoint             | module |
|------------------------------------------|----------------------|--------|
| GET /api/v1/conferences                  | api.list_conferences | views  |
| GET /api/v1/conferences/<conf>/programme | api.programme        | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The programme API."""
    from companion.api.views import bp

    app.register_blueprint(bp)
