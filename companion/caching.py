"""Conditional GETs and rendered answers: the page store first (`companion.offline.store`, one
render per revision for the deployment), then each process's caches of rendered bodies, gzip,
and ETags that follow a body's bytes. Every cached public answer about a conference goes through
`conference_response`.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from flask import Flask, Response, current_app, g, request

from companion import clock

#: Cache-Control of public pages: anyone may cache them, but must revalidate (a 304 is cheap).
PUBLIC_REVALIDATE = "public, no-cache"
#: Bodies smaller than this are not worth compressing.
GZIP_MIN_BYTES = 1024
#: The process caches of rendered answers and their largest sizes (None: PAGE_CACHE_SIZE).
#: Search results, private feeds and map files get their own, so a stream of unique queries
#: or large maps cannot push the programme's pages out.
CACHES: dict[str, int | None] = {"pages": None, "search": 128, "feeds": 256, "maps": 64}
CACHES_KEY = "companion.caches"
#: The shared store of rendered pages (`companion.offline.store.PageStore`), asked first.
STORE_KEY = "companion.page_store"


@dataclass(frozen=True, slots=True)
class CachedBody:
    """A rendered body and its gzip form, valid for one `version` of what it was rendered from;
    `etag` is what clients get (the version itself, or a hash of the body). A body read from the
    page store is kept gzipped only (`body` None): `plain()` inflates it for the rare client that
    does not take gzip."""

    version: str
    etag: str
    body: bytes | None
    gzipped: bytes | None

    def plain(self) -> bytes:
        """The uncompressed body."""
        if self.body is not None:
            return self.body
        assert self.gzipped is not None
        return gzip.decompress(self.gzipped)


class PageCache:
    """A small thread-safe LRU of rendered bodies, one per process, bounded by its number of
    entries and by the bytes they hold."""

    def __init__(self, size: int, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[Hashable, CachedBody] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: str) -> CachedBody | None:
        """The cached body for `key` if it was rendered for `version`."""
        with self._lock:
            item = self._items.get(key)
            if item is None or item.version != version:
                return None
            self._items.move_to_end(key)
            return item

    def put(self, key: Hashable, item: CachedBody) -> None:
        """Remember `item`, dropping the least recently used entry when full."""
        if self.size <= 0 or _weight(item) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= _weight(old)
            self._items[key] = item
            self.bytes += _weight(item)
            while len(self._items) > self.size or self.bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.bytes -= _weight(dropped)

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._items.clear()
            self.bytes = 0


def _weight(item: CachedBody) -> int:
    return len(item.body or b"") + len(item.gzipped or b"")


def page_cache(name: str = "pages") -> PageCache:
    """This process's page cache `name` (one of CACHES)."""
    caches: dict[str, PageCache] = current_app.extensions[CACHES_KEY]
    return caches[name]


class PageStoreLike(Protocol):
    """What `conference_response` asks the shared page store (`companion.offline.store`)."""

    def find(self, stamp: Stamp, path: str) -> StoredLike | None: ...


class StoredLike(Protocol):
    """A page found in the store: its ETag, and its body when it is sent."""

    @property
    def etag(self) -> str: ...
    @property
    def load(self) -> Callable[[], CachedBody]: ...


def make_etag(*parts: object) -> str:
    """A short strong ETag value from the things a response depends on (plus the app build)."""
    raw = "|".join(str(part) for part in (current_app.config["BUILD_ID"], *parts))
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def cached_response(
    key: Hashable,
    version: str,
    render: Callable[[], str | bytes],
    *,
    mimetype: str = "text/html",
    last_modified: datetime | None = None,
    cache_control: str = PUBLIC_REVALIDATE,
    cache: str | None = "pages",
    validator: str = "version",
) -> Response:
    """Answer 304 when the client holds the current body, else the cached or freshly rendered
    body (kept in the process cache named `cache`, one of CACHES, for `version`).

    `validator="version"`: the ETag is `version` itself, so a 304 needs no body at all.
    `validator="body"`: the ETag is a hash of the rendered bytes, so an answer whose bytes did
    not change keeps its ETag across versions and still answers 304 (a 304 then needs the body
    of this version, from the cache or rendered once).

    `last_modified` may be given only when the body depends on nothing but that instant (and the
    build); it is sent, and If-Modified-Since honoured, only once it is a whole second old, since
    HTTP dates cannot tell two changes within one second apart.
    """
    stamp = _usable_last_modified(last_modified)
    store: PageCache | None = current_app.extensions[CACHES_KEY][cache] if cache else None
    item: CachedBody | None = None
    timing: list[str] = []
    etag = version
    if validator == "body":
        item = _item(store, key, version, render, validator, timing)
        etag = item.etag
    held = item
    response = _answer(
        etag,
        lambda: held or _item(store, key, version, render, validator, timing),
        mimetype=mimetype,
        last_modified=stamp,
        cache_control=cache_control,
    )
    response.headers["Server-Timing"] = ", ".join(timing) or "cache"
    return response


def stored_response(etag: str, load: Callable[[], CachedBody], *, mimetype: str) -> Response:
    """An answer kept in the shared page store under `etag` (a bundle, a delta): 304 to a
    client that holds it, else its body, loaded only then."""
    return _answer(
        etag, load, mimetype=mimetype, last_modified=None, cache_control=PUBLIC_REVALIDATE
    )


def _answer(
    etag: str,
    load: Callable[[], CachedBody],
    *,
    mimetype: str,
    last_modified: datetime | None,
    cache_control: str,
) -> Response:
    """304 when the client holds `etag`, else the body `load()` gives (gzip if accepted)."""
    if _not_modified(etag, last_modified):
        response = Response(status=304)
    else:
        item = load()
        if item.gzipped is not None and request.accept_encodings.quality("gzip") > 0:
            response = Response(item.gzipped, mimetype=mimetype)
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = Response(item.plain(), mimetype=mimetype)
    # Weak: the gzip and plain bodies are the same content, and proxies that compress on the fly
    # weaken strong tags anyway.
    response.set_etag(etag, weak=True)
    response.headers["Vary"] = "Accept-Encoding"
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = cache_control
    return response


def _item(
    store: PageCache | None,
    key: Hashable,
    version: str,
    render: Callable[[], str | bytes],
    validator: str,
    timing: list[str],
) -> CachedBody:
    item = store.get(key, version) if store is not None else None
    if item is None:
        started = time.perf_counter()
        body = render()
        timing.append(f"render;dur={(time.perf_counter() - started) * 1000:.1f}")
        data = body.encode() if isinstance(body, str) else body
        gzipped = gzip.compress(data, 6, mtime=0) if len(data) >= GZIP_MIN_BYTES else None
        etag = version if validator == "version" else make_etag("body", _digest(data))
        item = CachedBody(version, etag, data, gzipped)
        if store is not None:
            store.put(key, item)
    return item


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Stamp(Protocol):
    """What a conference's cached answers depend on (`programme.queries.ConferenceStamp`)."""

    @property
    def id(self) -> int: ...
    @property
    def revision(self) -> int: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def rendered(self) -> bool: ...


def conference_response(
    stamp: Stamp,
    key: tuple[object, ...],
    render: Callable[[], str | bytes],
    *,
    mimetype: str = "text/html",
    cache: str = "pages",
) -> Response:
    """Every cached public answer about one conference, validated by a hash of its bytes, so an
    edit changes the ETag of exactly the answers whose bytes it changed: the others still
    answer 304 to what a browser or the offline copy holds.

    A page of the offline list (asked without a query string) comes from the shared page store
    once its revision is rendered there (`companion.offline.store`): one render per revision for
    the whole deployment. Until then, and for every other answer, it is rendered here and kept
    in this process's cache `cache`, keyed by (conference, *key) and the revision. No answer
    depends on the clock ("now & next" is computed on the device), so each may also answer
    If-Modified-Since from the revision's time."""
    rendering = bool(g.get("rendering_pages"))
    cache_control = PUBLIC_REVALIDATE
    last_modified = stamp.updated_at
    response: Response | None = None
    if not rendering and not request.args:
        page_store: PageStoreLike | None = current_app.extensions.get(STORE_KEY)
        found = page_store.find(stamp, request.path) if page_store is not None else None
        if found is not None:
            try:
                response = _answer(
                    found.etag,
                    found.load,
                    mimetype=mimetype,
                    last_modified=_usable_last_modified(last_modified),
                    cache_control=cache_control,
                )
            except LookupError:  # its body is gone (the store renders the revision again)
                response = None
        if response is not None:
            # Where the answer came from (the page store, this process's cache, a render here):
            # standard, shown by browsers' developer tools, and what tests count renders by.
            response.headers["Server-Timing"] = "store"
            return response
    return cached_response(
        (stamp.id, *key),
        make_etag(stamp.id, stamp.revision, *key),
        render,
        mimetype=mimetype,
        last_modified=last_modified,
        cache_control=cache_control,
        cache=None if rendering else cache,
        validator="body",
    )


def reset_caches(app: Flask) -> None:
    """Forget every cached answer of `app` (tests that change rows behind the app's back)."""
    for store in app.extensions[CACHES_KEY].values():
        store.clear()


def _usable_last_modified(last_modified: datetime | None) -> datetime | None:
    if last_modified is None:
        return None
    started: datetime = current_app.config["STARTED_AT"]
    stamp = max(last_modified, started)  # a deploy changes pages without an edit
    if stamp > clock.now() - timedelta(seconds=1):
        return None
    return stamp.replace(microsecond=0)


def _not_modified(etag: str, last_modified: datetime | None) -> bool:
    if request.if_none_match:
        if request.if_none_match.star_tag:  # "*" says nothing about this representation
            return False
        return request.if_none_match.contains_weak(etag)
    if last_modified is not None and request.if_modified_since is not None:
        return last_modified <= request.if_modified_since
    return False


def init_app(app: Flask) -> None:
    """This app's caches of rendered bodies (CACHES, sized by PAGE_CACHE_SIZE and _BYTES)."""
    size = app.config["PAGE_CACHE_SIZE"]
    app.extensions[CACHES_KEY] = {
        name: PageCache(size if limit is None else min(limit, size), app.config["PAGE_CACHE_BYTES"])
        for name, limit in CACHES.items()
    }
