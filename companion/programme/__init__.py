"""The programme: conferences, days, tracks, rooms, floors, speakers and talks (sessions)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The public pages, and the session listeners that keep each conference's revision moving
    with every change to its programme (ORM flushes and bulk statements alike)."""
    from companion import db
    from companion.programme import revision
    from companion.programme.views import bp

    app.register_blueprint(bp)
    db.listen("after_flush", revision.after_flush)
    db.listen("do_orm_execute", revision.after_bulk)
