"""The JSON API, version 1."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The programme API."""
    from companion.api.views import bp

    app.register_blueprint(bp)
