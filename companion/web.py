"""HTTP plumbing every feature shares: conditional GETs, a rendered-page cache, gzip, static URLs.

Public pages and documents are the same for every visitor and change only when the programme's
revision does, so each process renders a page once per revision and then answers from memory; a
client that already has it gets a 304 without anything being rendered.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

#: Cache-Control of public pages: anyone may cache them, but must revalidate (a 304 is cheap).
PUBLIC_REVALIDATE = "public, no-cache"
#: Static files are referenced with a content hash in their URL, so they never change.
STATIC_MAX_AGE = 365 * 24 * 3600
#: Bodies smaller than this are not worth compressing.
GZIP_MIN_BYTES = 1024


@dataclass(frozen=True, slots=True)
class CachedBody:
    """A rendered body and its gzip form, valid for one ETag."""

    etag: str
    body: bytes
    gzipped: bytes | None


class PageCache:
    """A small thread-safe LRU of rendered bodies, one per process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, CachedBody] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, etag: str) -> CachedBody | None:
        """The cached body for `key` if it was rendered for `etag`."""
        with self._lock:
            item = self._items.get(key)
            if item is None or item.etag != etag:
                return None
            self._items.move_to_end(key)
            return item

    def put(self, key: Hashable, item: CachedBody) -> None:
        """Remember `item`, dropping the least recently used entry when full."""
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._items.clear()


def make_etag(*parts: object) -> str:
    """A short strong ETag value from the things a response depends on (plus the app build)."""
    raw = "|".join(str(part) for part in (current_app.config["BUILD_ID"], *parts))
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def cached_response(
    key: Hashable,
    etag: str,
    render: Callable[[], str | bytes],
    *,
    mimetype: str = "text/html",
    last_modified: datetime | None = None,
    cache_control: str = PUBLIC_REVALIDATE,
) -> Response:
    """Answer 304 when the client has `etag`, else the cached or freshly rendered body."""
    if _not_modified(etag, last_modified):
        response = Response(status=304)
    else:
        cache: PageCache = current_app.extensions["companion.page_cache"]
        item = cache.get(key, etag)
        if item is None:
            body = render()
            data = body.encode() if isinstance(body, str) else body
            gzipped = gzip.compress(data, 6, mtime=0) if len(data) >= GZIP_MIN_BYTES else None
            item = CachedBody(etag, data, gzipped)
            cache.put(key, item)
        response = Response(item.body, mimetype=mimetype)
        if item.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            response.set_data(item.gzipped)
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.headers["Cache-Control"] = cache_control
    return response


def _not_modified(etag: str, last_modified: datetime | None) -> bool:
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    if last_modified is not None and request.if_modified_since is not None:
        return last_modified.replace(microsecond=0) <= request.if_modified_since
    return False


def build_id(*folders: Path) -> str:
    """A hash of every file under `folders`: it changes whenever a template or static file does."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def init_app(app: Flask) -> None:
    """Set up the page cache, the build id and `static_url` for templates."""
    root = Path(app.root_path)
    app.config["BUILD_ID"] = build_id(root / "templates", root / "static")
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_MAX_AGE
    app.extensions["companion.page_cache"] = PageCache(app.config["PAGE_CACHE_SIZE"])
    hashes: dict[str, str] = {}

    def static_url(filename: str) -> str:
        """URL of a static file with its content hash, so browsers may keep it for a year."""
        if filename not in hashes:
            data = (Path(app.static_folder or "static") / filename).read_bytes()
            hashes[filename] = hashlib.blake2b(data, digest_size=6).hexdigest()
        return url_for("static", filename=filename, v=hashes[filename])

    app.jinja_env.globals["static_url"] = static_url

    @app.after_request
    def _unversioned_static(response: Response) -> Response:
        # Only a URL with its content hash may be kept for a year; anything else must revalidate.
        if request.endpoint == "static" and "v" not in request.args:
            response.headers["Cache-Control"] = "no-cache"
        return response


def private(response: Response) -> Response:
    """Mark a per-user answer: never stored by a shared cache, nor kept by the browser."""
    response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("Cookie")
    return response


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default
