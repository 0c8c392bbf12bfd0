"""The application factory: `flask --app app run`, `gunicorn 'app:create_app()'`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask import typing as ft
from werkzeug.middleware.proxy_fix import ProxyFix

from companion import (
    accounts,
    admin,
    agenda,
    api,
    cli,
    db,
    errors,
    exchange,
    hosting,
    ical,
    live,
    logs,
    mail,
    notify,
    occupancy,
    offline,
    photos,
    programme,
    questions,
    search,
    security,
    templating,
    venue,
    votes,
    web,
)
from companion.config import Config

#: The features, in the order their `init_app` runs: each registers its blueprints, session
#: listeners, caches and hooks (accounts first: others add guest-merge and reclaim steps to it).
FEATURES = (
    programme,
    search,
    accounts,
    agenda,
    api,
    offline,
    ical,
    notify,
    live,
    hosting,
    admin,
    venue,
    exchange,
    mail,
    votes,
    occupancy,
    questions,
    photos,
)

ROOT = Path(__file__).resolve().parent


class Companion(Flask):
    """Flask with one commit point per request, as Indico's request handler has."""

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Run the view; commit its unit of work when it answered 2xx/3xx, else roll it back.
        An exception (a typed error, a stale version, a failed commit) rolls back and reaches
        the error handlers in `companion.errors`. Operations only flush."""
        response = self.make_response(super().dispatch_request())
        db.finish_request(succeeded=response.status_code < 400)
        return response


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment (and `overrides`, for tests); nothing runs at import."""
    app = Companion(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(Config.from_env(app.instance_path))
    if overrides:
        app.config.update(overrides)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
    logs.init_app(app)
    db.init_app(app)
    web.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    for feature in FEATURES:
        feature.init_app(app)
    cli.init_app(app)
    return app
