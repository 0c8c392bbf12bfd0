"""The web app manifest, the service worker (served from the root so it controls every page), the
offline fallback page (the offline copy's own answers are in `sync`)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, url_for

from companion.caching import cached_response, conference_response, make_etag
from companion.offline import service_worker as worker
from companion.programme import queries
from companion.web import static_url

bp = Blueprint("offline", __name__)

#: Static files every page needs: kept by the service worker at install time.
SHELL_FILES = (
    "css/app.css",
    "css/room.css",
    "css/programme.css",
    "js/zone.js",
    "css/alerts.css",
    "js/app.js",
    "js/offline.js",
    "js/now.js",
    "js/day.js",
    "js/venue.js",
    "js/votes.js",
    "js/occupancy.js",
    "js/questions.js",
    "js/alerts.js",
    "js/search.js",
    "vendor/minisearch.js",
    "icons/icon.svg",
    "icons/icon-192.png",
)


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """What makes the app installable: name, icons, colours, standalone display."""
    document = {
        "name": "Conference Companion",
        "short_name": "Companion",
        "description": "The programme, your schedule and the venue, online and offline.",
        "id": "/",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait-primary",
        "background_color": "#f4f6f9",
        "theme_color": "#0b4f9c",
        "categories": ["events", "productivity"],
        "icons": [
            {
                "src": static_url("icons/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static_url("icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static_url("icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static_url("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return cached_response(
        ("manifest",),
        make_etag("manifest"),
        lambda: json.dumps(document),
        mimetype="application/manifest+json",
    )


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, stamped with the build so that each deploy installs a new one."""
    shell = [static_url(name) for name in SHELL_FILES] + [url_for("offline.fallback")]

    def render() -> str:
        return render_template(
            "offline/sw.js",
            build=current_app.config["BUILD_ID"],
            shell=shell,
            icon=static_url("icons/icon-192.png"),
            urls=worker.urls(),
        )

    response = cached_response(
        ("sw.js",), make_etag("sw.js"), render, mimetype="text/javascript", cache_control="no-cache"
    )
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline/")
def fallback() -> Response:
    """Shown for a page that was never saved, when there is no network."""
    return cached_response(
        ("offline",), make_etag("offline"), lambda: render_template("offline/fallback.html")
    )


@bp.get("/<conf>/offline/search")
def search_unavailable(conf: str) -> Response:
    """What a search made offline shows (the service worker answers the search's own address
    with it): the results from the saved programme (static/js/search.js), and what is saved."""
    stamp = queries.get_conference_stamp_or_404(conf)
    return conference_response(
        stamp,
        ("offline-search",),
        lambda: render_template("offline/search.html", conf=queries.get_conference(stamp.id)),
    )
