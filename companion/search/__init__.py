"""Search: sessions, speakers and tracks, ranked, forgiving typos, matching prefixes as one
types, highlighted; the same offline from the programme the phone holds (docs/search.md).

Its URLs, and the module that answers each (`companion/search/<module>.py`):

| URL                                   | endpoint           | module |
|---------------------------------------|--------------------|--------|
| GET /<conf>/search                    | search.search_page | views  |
| GET /api/v1/conferences/<conf>/search | search.api_search  | views  |
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The search page and API, and the session listeners that keep `search_documents` in step
    with every change to a programme, in the same transaction."""
    from companion import db
    from companion.search import index
    from companion.search.views import bp

    app.register_blueprint(bp)
    db.listen("after_flush", index.after_flush)
    db.listen("do_orm_execute", index.after_bulk)
    db.listen("before_commit", index.before_commit)
    db.listen("after_soft_rollback", index.forget)
