"""The programme: conferences, days, tracks, rooms, floors, speakers and talks (sessions).

Its URLs, and the module that answers each (`companion/programme/<module>.py`):

| URL                          | endpoint                | module |
|------------------------------|-------------------------|--------|
| GET /                        | programme.index         | views  |
| GET /<conf>/                 | programme.home          | views  |
| GET /<conf>/programme/       | programme.programme     | views  |
| GET /<conf>/programme/<day>/ | programme.programme_day | views  |
| GET /<conf>/sessions/<guid>/ | programme.session_page  | views  |
| GET /<conf>/tracks/          | programme.tracks        | views  |
| GET /<conf>/tracks/<slug>/   | programme.track         | views  |
| GET /<conf>/speakers/        | programme.speakers      | views  |
| GET /<conf>/speakers/<slug>/ | programme.speaker       | views  |
| GET /<conf>/rooms/           | programme.rooms         | views  |
| GET /<conf>/rooms/<slug>/    | programme.room          | views  |
| GET /<conf>/now              | programme.jump_to_now   | views  |
"""

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
