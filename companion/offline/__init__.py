"""The installable, offline app: web app manifest, service worker, offline copy of the programme,
and the page store every public page is rendered into once per revision (`store`, `render`,
`delta`: docs/offline.md).

Its URLs, and the module that answers each (`companion/offline/<module>.py`):

| URL                                            | endpoint                   | module |
|------------------------------------------------|----------------------------|--------|
| GET /manifest.webmanifest                      | offline.manifest           | views  |
| GET /sw.js                                     | offline.service_worker     | views  |
| GET /offline/                                  | offline.fallback           | views  |
| GET /<conf>/offline/search                     | offline.search_unavailable | views  |
| GET /api/v1/conferences/<conf>/offline         | offline.offline_list       | sync   |
| GET /api/v1/conferences/<conf>/offline/bundle  | offline.bundle             | sync   |
| GET /api/v1/conferences/<conf>/offline/changes | offline.changes            | sync   |
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context
from sqlalchemy.orm import Session, SessionTransaction


def init_app(app: Flask) -> None:
    """The manifest, the service worker, the offline list, and the page store with its
    renderer, which renders each new revision once it is committed."""
    from companion import db
    from companion.caching import STORE_KEY
    from companion.offline import sync  # noqa: F401  (its views join the blueprint)
    from companion.offline.render import Renderer
    from companion.offline.store import PageStore, rendered_clause
    from companion.offline.views import bp
    from companion.programme import queries

    app.register_blueprint(bp)
    queries.stamp_knows_rendered(rendered_clause())
    store = PageStore(app)
    renderer = Renderer(app)
    app.extensions[STORE_KEY] = store
    app.extensions["companion.renderer"] = renderer
    if app.config["RENDER_AFTER_EDIT"] and not _in_memory(app.config["DATABASE_URL"]):
        store.on_missing = renderer.missing
    db.listen("after_commit", _render_after_commit)
    db.listen("after_soft_rollback", _forget_revised)


def _in_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:")


def _render_after_commit(session: Session) -> None:
    # In a request only: a CLI command's process ends before a background render could (the
    # first page asked for afterwards starts it instead).
    revised: set[int] = session.info.pop("revised", set())
    if not revised or not has_request_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["RENDER_AFTER_EDIT"] or _in_memory(app.config["DATABASE_URL"]):
        return
    renderer: Any = app.extensions.get("companion.renderer")
    if renderer is not None:
        for conference_id in revised:
            renderer.kick(conference_id)


def _forget_revised(session: Session, previous: SessionTransaction) -> None:
    # Only the outermost transaction's rollback: a savepoint's leaves the outer changes.
    if previous.parent is None:
        session.info.pop("revised", None)
