"""Track hosts and organisers edit the programme: permissions, validation, audit log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The host's pages, the editing API, the public changelog and its Atom feed."""
    from companion.hosting import pages, views

    app.register_blueprint(views.bp)
    app.register_blueprint(pages.bp)
