"""Rendering a revision's public pages into the page store: once for the whole deployment.

One renderer claims a (conference, build, revision) by inserting its `page_revisions` row; any
other process that wants it waits for that row to be complete (or takes the claim over when its
heartbeat stops). The renderer reads the whole revision from one consistent snapshot (REPEATABLE
READ on PostgreSQL, one read transaction on SQLite's WAL), so a manifest never mixes two
revisions, and writes bodies in short transactions of their own, so edits never wait for it.
After a programme change commits, `Renderer.kick` renders the new revision in a background thread.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import Flask, g, request
from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from companion.caching import STORE_KEY
from companion.db import get_database_of, utcnow
from companion.live.record import publish
from companion.offline import delta
from companion.offline.models import COMPLETE, RENDERING, PageRevision
from companion.offline.queries import offline_urls
from companion.offline.store import Body, Manifest, PageStore
from companion.programme.models import Conference
from companion.programme.queries import ConferenceStamp, get_conference

log = logging.getLogger(__name__)

#: A claim whose renderer has not written for this long is taken over (it died).
STALE_CLAIM = timedelta(seconds=30)
#: Bodies written (and the heartbeat renewed) per transaction.
BATCH = 100
#: Complete revisions kept per conference and build: a phone further behind syncs in full.
REVISIONS_KEPT = 50
#: Revisions of other builds (the other half of a rolling deploy) are kept this long.
OTHER_BUILDS_KEPT = timedelta(days=1)
#: A claim nobody renewed for this long is forgotten.
ABANDONED_CLAIM = timedelta(hours=1)
#: Bodies written or found by a render this recently are never pruned.
BODY_GRACE = timedelta(minutes=10)
#: Pages a "pages" live event lists one by one; past it, it says only that the revision is out.
PAGES_LISTED = 100


@contextmanager
def snapshot(app: Flask) -> Iterator[Session]:
    """A read-only session that sees one instant of the database throughout."""
    database = get_database_of(app)
    connection = database.engine.connect()
    try:
        if database.engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        elif database.url not in ("sqlite://", "sqlite:///:memory:"):
            connection.exec_driver_sql("BEGIN")  # pysqlite would not begin before a SELECT
        with Session(bind=connection) as db_session:
            yield db_session
    finally:
        connection.rollback()
        connection.close()


def render_revision(app: Flask, conference_id: int, *, wait: float = 0.0) -> Manifest | None:
    """Render the conference's current revision into the store unless it is there already.
    When another process holds the claim, wait up to `wait` seconds for it (taking the claim
    over if that process stops). Returns the manifest once complete, None if someone else is
    still at it (or there is no such conference)."""
    store: PageStore = app.extensions[STORE_KEY]
    deadline = time.monotonic() + wait
    with app.app_context():
        while True:
            outcome = _render_if_claimed(app, store, conference_id)
            if outcome is not _BUSY or time.monotonic() >= deadline:
                return outcome if isinstance(outcome, Manifest) else None
            time.sleep(0.1)  # no snapshot is held while waiting


_BUSY = object()


def _render_if_claimed(app: Flask, store: PageStore, conference_id: int) -> object:
    """The manifest of the current revision (rendered now if this process gets the claim),
    `_BUSY` when another process is rendering it, None when there is no such conference."""
    with snapshot(app) as db_session:
        row = db_session.execute(
            select(
                Conference.id, Conference.slug, Conference.revision, Conference.updated_at
            ).where(Conference.id == conference_id)
        ).one_or_none()
        if row is None:
            return None
        stamp = ConferenceStamp(*row)
        done = store.manifest(conference_id, stamp.revision, fresh=True)
        if done is not None:
            return done
        if not _claim(store, conference_id, stamp.revision):
            return _BUSY
        started = time.monotonic()
        try:
            manifest = _render(app, store, db_session, stamp)
        except BaseException:
            _release(store, conference_id, stamp.revision)
            raise
    seconds = time.monotonic() - started
    _complete(store, manifest, seconds)
    log.info(
        "rendered %d pages of conference %d revision %d in %.2f s",
        len(manifest.pages),
        conference_id,
        stamp.revision,
        seconds,
    )
    delta.prepare(store, manifest)
    _prune(store, conference_id)
    return manifest


def _render(app: Flask, store: PageStore, db_session: Session, stamp: ConferenceStamp) -> Manifest:
    base = str(app.config["PUBLIC_URL"])
    g.db_session = db_session
    g.pinned_stamp = stamp
    g.rendering_pages = True
    try:
        with app.test_request_context("/", base_url=base):
            paths = offline_urls(get_conference(stamp.id))
        pages: dict[str, str] = {}
        batch: list[Body] = []
        for path in paths:
            body = _render_one(app, base, path)
            db_session.expunge_all()  # each page loads what it shows: hold none of it after
            if body is None:
                continue
            pages[path] = body.etag
            batch.append(body)
            if len(batch) >= BATCH:
                _flush(store, stamp.id, stamp.revision, batch)
                batch = []
        _flush(store, stamp.id, stamp.revision, batch)
    finally:
        g.pop("db_session", None)
        g.pop("pinned_stamp", None)
        g.pop("rendering_pages", None)
    return Manifest(stamp.id, store.build, stamp.revision, pages)


def _render_one(app: Flask, base: str, path: str) -> Body | None:
    with app.test_request_context(path, base_url=base):
        if request.routing_exception is not None or request.url_rule is None:
            log.warning("offline page %s has no view", path)
            return None
        view = app.view_functions[request.url_rule.endpoint]
        response = app.make_response(app.ensure_sync(view)(**(request.view_args or {})))
        etag, _weak = response.get_etag()
        if response.status_code != 200 or etag is None:
            log.warning("offline page %s answered %d", path, response.status_code)
            return None
        return Body(etag, response.mimetype or "application/octet-stream", response.get_data())


def _flush(store: PageStore, conference_id: int, revision: int, batch: list[Body]) -> None:
    store.write(conference_id, batch)
    with store.session() as db_session:
        db_session.execute(
            update(PageRevision)
            .where(*_key(store, conference_id, revision))
            .values(heartbeat_at=utcnow(), rendered=PageRevision.rendered + len(batch))
        )
        db_session.commit()


def _key(store: PageStore, conference_id: int, revision: int) -> tuple[ColumnElement[bool], ...]:
    return (
        PageRevision.conference_id == conference_id,
        PageRevision.build == store.build,
        PageRevision.revision == revision,
    )


def _claim(store: PageStore, conference_id: int, revision: int) -> bool:
    """Take the job of rendering this revision, or say that someone alive has it."""
    with store.session() as db_session:
        db_session.add(
            PageRevision(conference_id=conference_id, build=store.build, revision=revision)
        )
        try:
            db_session.commit()
            return True
        except IntegrityError:
            db_session.rollback()
        # Someone has it: take it over only if they stopped writing (a renderer that died).
        taken = db_session.execute(
            update(PageRevision)
            .where(
                *_key(store, conference_id, revision),
                PageRevision.state == RENDERING,
                PageRevision.heartbeat_at < utcnow() - STALE_CLAIM,
            )
            .values(heartbeat_at=utcnow(), rendered=0)
        )
        db_session.commit()
        return bool(taken.rowcount)  # type: ignore[attr-defined]


def _release(store: PageStore, conference_id: int, revision: int) -> None:
    with store.session() as db_session:
        db_session.execute(
            delete(PageRevision).where(
                *_key(store, conference_id, revision), PageRevision.state == RENDERING
            )
        )
        db_session.commit()


def _complete(store: PageStore, manifest: Manifest, seconds: float) -> None:
    """Mark the revision complete and, in the same transaction, tell open screens which pages
    changed (a "pages" live event: their service workers sync exactly those)."""
    before = store.previous(manifest)
    with store.session() as db_session:
        db_session.execute(
            update(PageRevision)
            .where(*_key(store, manifest.conference_id, manifest.revision))
            .values(
                state=COMPLETE,
                pages=json.dumps(manifest.pages),
                finished_at=utcnow(),
                seconds=seconds,
                heartbeat_at=utcnow(),
            )
        )
        publish(
            db_session,
            manifest.conference_id,
            "pages",
            manifest.revision,
            pages_event(manifest, before.pages if before else None),
        )
        db_session.commit()


def pages_event(manifest: Manifest, before: dict[str, str] | None) -> dict[str, Any]:
    """What a "pages" event says: the revision, and the pages changed since the previous one
    with their new ETags (None: too many to list, or no previous revision) and the pages gone."""
    changed = None
    gone: list[str] = []
    if before is not None:
        changed = {path: etag for path, etag in manifest.pages.items() if before.get(path) != etag}
        gone = [path for path in before if path not in manifest.pages]
        if len(changed) + len(gone) > PAGES_LISTED:
            changed, gone = None, []
    return {
        "revision": manifest.revision,
        "build": manifest.build,
        "changed": changed,
        "gone": gone,
    }


def _prune(store: PageStore, conference_id: int) -> None:
    """Keep this build's newest REVISIONS_KEPT complete revisions and other builds' revisions of
    the last OTHER_BUILDS_KEPT (a rolling deploy runs two builds on one database); forget claims
    nobody has renewed for an hour; then the bodies none of the kept revisions refers to, once
    no render has touched them for BODY_GRACE."""
    now = utcnow()
    with store.session() as db_session:
        rows = list(
            db_session.execute(
                select(
                    PageRevision.build,
                    PageRevision.revision,
                    PageRevision.state,
                    PageRevision.heartbeat_at,
                ).where(PageRevision.conference_id == conference_id)
            )
        )
        mine = sorted(
            (r.revision for r in rows if r.build == store.build and r.state == COMPLETE),
            reverse=True,
        )[:REVISIONS_KEPT]
        drop = [
            (r.build, r.revision)
            for r in rows
            if (r.state == RENDERING and r.heartbeat_at < now - ABANDONED_CLAIM)
            or (
                r.state == COMPLETE
                and (
                    (r.build == store.build and r.revision not in mine)
                    or (r.build != store.build and r.heartbeat_at < now - OTHER_BUILDS_KEPT)
                )
            )
        ]
        for build, revision in drop:
            db_session.execute(
                delete(PageRevision).where(
                    PageRevision.conference_id == conference_id,
                    PageRevision.build == build,
                    PageRevision.revision == revision,
                )
            )
        referred: set[str] = set()
        for pages in db_session.execute(
            select(PageRevision.pages).where(
                PageRevision.conference_id == conference_id, PageRevision.state == COMPLETE
            )
        ).scalars():
            referred.update(json.loads(pages or "{}").values())
        delta.prune(
            db_session,
            conference_id,
            referred,
            mine[0] if mine else None,
            set(mine),
            now - BODY_GRACE,
        )
        db_session.commit()


class Renderer:
    """Renders in a background thread of this process, one conference at a time; a kick during
    a render makes it render once more afterwards (the revision may have moved again)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._running: dict[int, threading.Thread] = {}
        self._again: set[int] = set()
        self._tried: dict[tuple[int, int], float] = {}

    def kick(self, conference_id: int) -> None:
        """Render the conference's current revision soon (returns at once)."""
        with self._lock:
            if conference_id in self._running:
                self._again.add(conference_id)
                return
            thread = threading.Thread(
                target=self._run, args=(conference_id,), name=f"render-{conference_id}", daemon=True
            )
            self._running[conference_id] = thread
        thread.start()

    def missing(self, conference_id: int, revision: int) -> None:
        """A page of a revision not in the store was asked for: render it (tried once per
        process, and again once a claim another process holds could have gone stale)."""
        now = time.monotonic()
        with self._lock:
            tried = self._tried.get((conference_id, revision))
            if tried is not None and now - tried < STALE_CLAIM.total_seconds():
                return
            self._tried[(conference_id, revision)] = now
            if len(self._tried) > 1000:
                self._tried = {key: at for key, at in self._tried.items() if now - at < 60}
        self.kick(conference_id)

    def _run(self, conference_id: int) -> None:
        while True:
            try:
                render_revision(self.app, conference_id)
            except Exception:
                log.exception("rendering conference %d failed", conference_id)
            with self._lock:
                if conference_id in self._again:
                    self._again.discard(conference_id)
                    continue
                del self._running[conference_id]
                return

    def wait(self, timeout: float = 60.0) -> None:
        """Until every render this process started has finished (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                threads = list(self._running.values())
            if not threads or time.monotonic() > deadline:
                return
            for thread in threads:
                thread.join(max(0.0, deadline - time.monotonic()))
