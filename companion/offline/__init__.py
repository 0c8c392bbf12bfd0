"""The installable, offline app: web app manifest, service worker, offline copy of the programme.

Its URLs, and the module that answers each (`companion/offline/<module>.py`):

| URL                                    | endpoint                   | module |
|----------------------------------------|----------------------------|--------|
| GET /manifest.webmanifest              | offline.manifest           | views  |
| GET /sw.js                             | offline.service_worker     | views  |
| GET /offline/                          | offline.fallback           | views  |
| GET /<conf>/offline/search             | offline.search_unavailable | views  |
| GET /api/v1/conferences/<conf>/offline | offline.offline_list       | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The manifest, the service worker and the offline list."""
    from companion.offline.views import bp

    app.register_blueprint(bp)
