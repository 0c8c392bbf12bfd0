"""My schedule: stars, clashes, now & next for me."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """My schedule and starring; a guest's stars join the account they sign in to."""
    from companion.accounts.operations import add_merge_step
    from companion.agenda.operations import move_stars
    from companion.agenda.views import bp

    app.register_blueprint(bp)
    add_merge_step(app, move_stars)
