"""The application factory: `flask --app app run`, `gunicorn 'app:create_app()'`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from companion import cli, db, errors, logs, mail, security, templating, web
from companion.accounts import login
from companion.accounts.views import bp as accounts_bp
from companion.admin.views import bp as admin_bp
from companion.agenda.views import bp as agenda_bp
from companion.api.views import bp as api_bp
from companion.config import Config
from companion.exchange.views import bp as exchange_bp
from companion.hosting.pages import bp as host_bp
from companion.hosting.views import bp as hosting_bp
from companion.ical.views import bp as ical_bp
from companion.notify import outbox, vapid
from companion.notify.views import bp as notify_bp
from companion.offline.views import bp as offline_bp
from companion.programme import revision
from companion.programme.views import bp as programme_bp
from companion.venue.views import bp as venue_bp

ROOT = Path(__file__).resolve().parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment (and `overrides`, for tests); nothing runs at import."""
    app = Flask(
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
    revision.install(db.get_database_of(app).sessionmaker)
    outbox.install(db.get_database_of(app).sessionmaker)
    vapid.init_app(app)
    web.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    login.init_app(app)
    mail.init_app(app)
    app.register_blueprint(programme_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(offline_bp)
    app.register_blueprint(ical_bp)
    app.register_blueprint(notify_bp)
    app.register_blueprint(hosting_bp)
    app.register_blueprint(host_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(venue_bp)
    app.register_blueprint(exchange_bp)
    cli.init_app(app)
    return app
