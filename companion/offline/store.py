"""Reading and writing the page store (`companion.offline.models`): manifests, bodies, and the
answer of a public page from it (`caching.conference_response` asks `find` first).

A process keeps the manifests it read (a revision's manifest never changes once complete) and,
in its page cache, the bodies it served; a miss costs one indexed read, never a render."""

from __future__ import annotations

import gzip
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import ColumnElement, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from companion.caching import GZIP_MIN_BYTES, STORE_KEY, CachedBody, Stamp, page_cache
from companion.db import get_database_of, utcnow
from companion.offline.models import COMPLETE, PageBody, PageRevision
from companion.programme.models import Conference

#: Manifests a process keeps (a few conferences, a few revisions each).
MANIFESTS_KEPT = 16


@dataclass(frozen=True, slots=True)
class Manifest:
    """The pages of one completely rendered revision: path → ETag, in the offline list's order."""

    conference_id: int
    build: str
    revision: int
    pages: dict[str, str]


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A page found in the store: its ETag at once, its body only when it is sent."""

    etag: str
    load: Callable[[], CachedBody]


@dataclass(frozen=True, slots=True)
class Body:
    """A body to store: its ETag, media type and bytes (compressed here when worth it), or
    bytes gzipped already (`packed`, with the body's `size`)."""

    etag: str
    media_type: str
    data: bytes
    packed: bytes | None = None
    size: int = 0


class PageStore:
    """One app's view of the store: a cache of manifests, and the page cache for bodies."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._manifests: OrderedDict[tuple[int, str, int], Manifest] = OrderedDict()
        self._lock = threading.Lock()
        #: Called with the conference id when a page of a revision not yet rendered is asked for.
        self.on_missing: Callable[[int, int], None] | None = None

    @property
    def build(self) -> str:
        return str(self.app.config["BUILD_ID"])

    def session(self) -> Session:
        """A session of its own (the store is written in short transactions of its own)."""
        return get_database_of(self.app).sessionmaker()

    def manifest(
        self, conference_id: int, revision: int, *, fresh: bool = False
    ) -> Manifest | None:
        """The manifest of `revision` once it is completely rendered, else None (`fresh`: as
        the database has it now, not as this process remembers it)."""
        key = (conference_id, self.build, revision)
        with self._lock:
            found = None if fresh else self._manifests.get(key)
        if found is not None:
            return found
        with self.session() as db_session:
            pages = db_session.execute(
                select(PageRevision.pages).where(
                    PageRevision.conference_id == conference_id,
                    PageRevision.build == self.build,
                    PageRevision.revision == revision,
                    PageRevision.state == COMPLETE,
                )
            ).scalar_one_or_none()
        if pages is None:
            return None
        return self._remember(Manifest(conference_id, self.build, revision, json.loads(pages)))

    def previous(self, manifest: Manifest) -> Manifest | None:
        """The complete revision of the same build just before `manifest`'s, if any: what a
        delta and a "pages" live event compare the new revision with."""
        with self.session() as db_session:
            revision = db_session.execute(
                select(PageRevision.revision)
                .where(
                    PageRevision.conference_id == manifest.conference_id,
                    PageRevision.build == manifest.build,
                    PageRevision.state == COMPLETE,
                    PageRevision.revision < manifest.revision,
                )
                .order_by(PageRevision.revision.desc())
                .limit(1)
            ).scalar_one_or_none()
        return None if revision is None else self.manifest(manifest.conference_id, revision)

    def latest(self, conference_id: int) -> Manifest | None:
        """The newest completely rendered revision of this build, whatever the current one."""
        with self.session() as db_session:
            revision = db_session.execute(
                select(PageRevision.revision)
                .where(
                    PageRevision.conference_id == conference_id,
                    PageRevision.build == self.build,
                    PageRevision.state == COMPLETE,
                )
                .order_by(PageRevision.revision.desc())
                .limit(1)
            ).scalar_one_or_none()
        return None if revision is None else self.manifest(conference_id, revision)

    def forget(self, manifest: Manifest) -> None:
        """Drop a revision whose bodies are not all there any more, so that it is rendered
        again (a safety net: pruning spares what a kept revision or a render in progress
        refers to)."""
        with self._lock:
            self._manifests.pop((manifest.conference_id, manifest.build, manifest.revision), None)
        with self.session() as db_session:
            db_session.execute(
                delete(PageRevision).where(
                    PageRevision.conference_id == manifest.conference_id,
                    PageRevision.build == manifest.build,
                    PageRevision.revision == manifest.revision,
                )
            )
            db_session.commit()

    def _remember(self, manifest: Manifest) -> Manifest:
        with self._lock:
            self._manifests[(manifest.conference_id, manifest.build, manifest.revision)] = manifest
            while len(self._manifests) > MANIFESTS_KEPT:
                self._manifests.popitem(last=False)
        return manifest

    def find(self, stamp: Stamp, path: str) -> StoredPage | None:
        """The stored page at `path` of the stamp's revision, if that revision is rendered."""
        manifest = self.manifest(stamp.id, stamp.revision) if stamp.rendered else None
        if manifest is None:
            if self.on_missing is not None:
                self.on_missing(stamp.id, stamp.revision)
            return None
        etag = manifest.pages.get(path)
        if etag is None:
            return None

        def load() -> CachedBody:
            try:
                return self.cached_body(stamp.id, etag)
            except LookupError:
                self.forget(manifest)
                raise

        return StoredPage(etag, load)

    def cached_body(self, conference_id: int, etag: str) -> CachedBody:
        """The body stored under `etag`, through this process's page cache."""
        cache = page_cache()
        key = ("stored", conference_id, etag)
        item = cache.get(key, etag)
        if item is None:
            item = self.read(conference_id, [etag])[etag]
            cache.put(key, item)
        return item

    def read(self, conference_id: int, etags: Iterable[str]) -> dict[str, CachedBody]:
        """The bodies stored under `etags` (LookupError if one is gone)."""
        wanted = list(dict.fromkeys(etags))
        found: dict[str, CachedBody] = {}
        with self.session() as db_session:
            for start in range(0, len(wanted), 500):
                rows = db_session.execute(
                    select(PageBody.etag, PageBody.gzipped, PageBody.data).where(
                        PageBody.conference_id == conference_id,
                        PageBody.etag.in_(wanted[start : start + 500]),
                    )
                )
                for etag, gzipped, data in rows:
                    found[etag] = CachedBody(
                        etag, etag, None if gzipped else data, data if gzipped else None
                    )
        missing = set(wanted) - set(found)
        if missing:
            raise LookupError(f"{len(missing)} stored bodies are gone")
        return found

    def write(self, conference_id: int, bodies: Iterable[Body]) -> None:
        """Store `bodies` not stored yet (a body is never rewritten: its ETag is its content);
        those stored already are touched, so that pruning spares them a while."""
        pending = {body.etag: body for body in bodies}
        if not pending:
            return
        with self.session() as db_session:
            mine = (PageBody.conference_id == conference_id, PageBody.etag.in_(list(pending)))
            known = set(db_session.execute(select(PageBody.etag).where(*mine)).scalars())
            if known:
                db_session.execute(update(PageBody).where(*mine).values(created_at=utcnow()))
            db_session.add_all(
                _row(conference_id, body) for etag, body in pending.items() if etag not in known
            )
            try:
                db_session.commit()
                return
            except IntegrityError:  # another renderer stored some of the same bytes meanwhile
                db_session.rollback()
        for body in pending.values():
            with self.session() as db_session:
                if db_session.get(PageBody, (conference_id, body.etag)) is None:
                    db_session.add(_row(conference_id, body))
                    try:
                        db_session.commit()
                    except IntegrityError:
                        db_session.rollback()


def _row(conference_id: int, body: Body) -> PageBody:
    if body.packed is not None:
        return PageBody(
            etag=body.etag,
            conference_id=conference_id,
            media_type=body.media_type,
            size=body.size,
            gzipped=True,
            data=body.packed,
        )
    packed = len(body.data) >= GZIP_MIN_BYTES
    return PageBody(
        etag=body.etag,
        conference_id=conference_id,
        media_type=body.media_type,
        size=len(body.data),
        gzipped=packed,
        data=gzip.compress(body.data, 6, mtime=0) if packed else body.data,
    )


def rendered_clause() -> ColumnElement[bool]:
    """True where a conference's current revision is completely rendered for the build given
    as the parameter `build`: what the programme's stamp query adds (one read says both)."""
    return (
        select(PageRevision.revision)
        .where(
            PageRevision.conference_id == Conference.id,
            PageRevision.build == bindparam("build"),
            PageRevision.revision == Conference.revision,
            PageRevision.state == COMPLETE,
        )
        .exists()
    )


def page_store() -> PageStore:
    """The current app's page store."""
    store: PageStore = current_app.extensions[STORE_KEY]
    return store
