"""The installable, offline app: web app manifest, service worker, offline copy of the programme."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The manifest, the service worker and the offline list."""
    from companion.offline.views import bp

    app.register_blueprint(bp)
