"""Live: every committed programme change becomes an event (`record`), kept for replay, and
served to every open screen as Server-Sent Events by stream nodes (`server`, `flask --app app
stream`) that follow the database (`feed`: LISTEN/NOTIFY on PostgreSQL, a poll on SQLite).
docs/live.md says how it fits together.

The Flask app serves none of its URLs: a stream would hold a sync worker for as long as a phone
keeps the page open. The stream node's own table of URLs is in `companion/live/server.py`.
"""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

#: The stream of a conference's events (and its poll), as a Flask-style rule: the one spelling
#: that pages (`live_events_url`), the stream node and the service worker all use.
EVENTS_RULE = "/api/v1/conferences/<conf>/events"
#: The stream node's status.
STATUS_PATH = "/api/v1/live/status"


def init_app(app: Flask) -> None:
    """Record events in the transactions that change a programme, tell pages where the stream is,
    and add the `stream` command."""
    from companion import db
    from companion.live import record

    db.listen("after_flush", record.after_flush)
    db.listen("before_commit", record.before_commit)
    db.listen("after_soft_rollback", record.forget)
    db.listen("do_orm_execute", record.after_statement)
    base: str | None = app.config["LIVE_URL"]
    app.jinja_env.globals["live_events_url"] = (
        None if base is None else lambda slug: base + EVENTS_RULE.replace("<conf>", slug)
    )
    app.cli.add_command(stream_command)


@click.command("stream")
@click.option(
    "--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="$HOST or 127.0.0.1"
)
@click.option("--port", type=int, default=None, help="Default: LIVE_PORT (5001).")
@with_appcontext
def stream_command(host: str, port: int | None) -> None:
    """Serve the live events stream (Server-Sent Events) until stopped."""
    from companion.live.server import serve

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    serve(app, host=host, port=port or app.config["LIVE_PORT"])
