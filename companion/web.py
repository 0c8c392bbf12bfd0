"""HTTP plumbing every feature shares: conditional GETs, a rendered-page cache, gzip, static URLs.

Public pages and documents are the same for every visitor and change only when the programme's
revision does, so each process renders a page once per revision and then answers from memory; a
client that already has it gets a 304 without anything being rendered.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, url_for
from flask.json.provider import DefaultJSONProvider

from companion import clock
from companion.errors import BadRequest
from companion.parsing import load_json

#: Cache-Control of public pages: anyone may cache them, but must revalidate (a 304 is cheap).
PUBLIC_REVALIDATE = "public, no-cache"
#: Static files are referenced with a content hash in their URL, so they never change.
STATIC_MAX_AGE = 365 * 24 * 3600
#: Bodies smaller than this are not worth compressing.
GZIP_MIN_BYTES = 1024
#: Pages that show "now & next" change with the clock: browsers may reuse them for 30 s.
LIVE_CACHE_CONTROL = "public, max-age=30"
#: The process caches of rendered answers and their largest sizes (None: PAGE_CACHE_SIZE).
#: Search results, private feeds and map files get their own, so a stream of unique queries
#: or large maps cannot push the programme's pages out.
CACHES: dict[str, int | None] = {"pages": None, "search": 128, "feeds": 256, "maps": 64}
CACHES_KEY = "companion.caches"


@dataclass(frozen=True, slots=True)
class CachedBody:
    """A rendered body and its gzip form, valid for one `version` of what it was rendered from;
    `etag` is what clients get (the version itself, or a hash of the body)."""

    version: str
    etag: str
    body: bytes
    gzipped: bytes | None


class PageCache:
    """A small thread-safe LRU of rendered bodies, one per process."""

    def __init__(self, size: int) -> None:
        self.size = size
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
    version: str,
    render: Callable[[], str | bytes],
    *,
    mimetype: str = "text/html",
    last_modified: datetime | None = None,
    cache_control: str = PUBLIC_REVALIDATE,
    cache: str = "pages",
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
    store: PageCache = current_app.extensions[CACHES_KEY][cache]
    item = None
    etag = version
    if validator == "body":
        item = _item(store, key, version, render, validator)
        etag = item.etag
    if _not_modified(etag, stamp):
        response = Response(status=304)
    else:
        item = item or _item(store, key, version, render, validator)
        response = Response(item.body, mimetype=mimetype)
        if item.gzipped is not None and request.accept_encodings.quality("gzip") > 0:
            response.set_data(item.gzipped)
            response.headers["Content-Encoding"] = "gzip"
    # Weak: the gzip and plain bodies are the same content, and proxies that compress on the fly
    # weaken strong tags anyway.
    response.set_etag(etag, weak=True)
    response.headers["Vary"] = "Accept-Encoding"
    if stamp is not None:
        response.last_modified = stamp
    response.headers["Cache-Control"] = cache_control
    return response


def _item(
    store: PageCache,
    key: Hashable,
    version: str,
    render: Callable[[], str | bytes],
    validator: str,
) -> CachedBody:
    item = store.get(key, version)
    if item is None:
        body = render()
        data = body.encode() if isinstance(body, str) else body
        gzipped = gzip.compress(data, 6, mtime=0) if len(data) >= GZIP_MIN_BYTES else None
        etag = version if validator == "version" else make_etag("body", _digest(data))
        item = CachedBody(version, etag, data, gzipped)
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


def conference_response(
    stamp: Stamp,
    key: tuple[object, ...],
    render: Callable[[], str | bytes],
    *,
    mimetype: str = "text/html",
    live_at: datetime | None = None,
    timeless: bool = True,
    cache: str = "pages",
) -> Response:
    """Every cached public answer about one conference: keyed by (conference, *key), rendered
    once per revision (and build) and per process, and validated by a hash of its bytes, so an
    edit changes the ETag of exactly the answers whose bytes it changed: the others still
    answer 304 to what a browser or the offline copy holds. `live_at`: the answer shows "now &
    next", so it is kept per minute and may be reused by browsers for 30 s. `timeless` answers
    depend on the revision alone and so may answer If-Modified-Since too."""
    if live_at is not None:
        key = (*key, live_at.replace(second=0, microsecond=0).isoformat())
    return cached_response(
        (stamp.id, *key),
        make_etag(stamp.id, stamp.revision, *key),
        render,
        mimetype=mimetype,
        last_modified=stamp.updated_at if timeless and live_at is None else None,
        cache_control=LIVE_CACHE_CONTROL if live_at is not None else PUBLIC_REVALIDATE,
        cache=cache,
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


def build_id(*folders: Path) -> str:
    """A hash of every file under `folders`: it changes whenever code, a template or a static file
    does, and with it every ETag."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but request bodies with a lone surrogate are malformed JSON (400), not text
    that fails later in the database (500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse `s` (see `parsing.load_json`)."""
        return load_json(s)


def init_app(app: Flask) -> None:
    """Set up the page cache, the build id and `static_url` for templates."""
    app.json = StrictJSONProvider(app)
    root = Path(app.root_path)
    package = Path(__file__).resolve().parent
    app.config["BUILD_ID"] = build_id(root / "templates", root / "static", package)
    app.config["STARTED_AT"] = datetime.now(UTC)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_MAX_AGE
    size = app.config["PAGE_CACHE_SIZE"]
    app.extensions[CACHES_KEY] = {
        name: PageCache(size if limit is None else min(limit, size))
        for name, limit in CACHES.items()
    }
    app.extensions["companion.static_hashes"] = {}
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["external_url"] = external_url
    app.jinja_env.filters["webcal"] = webcal

    app.url_value_preprocessor(_apply_body_limit)

    @app.after_request
    def _unversioned_static(response: Response) -> Response:
        # Only the URL with this file's current hash may be kept for a year: during a rolling
        # deploy an old server must not pin its old file under the new hash.
        if request.endpoint == "static":
            filename = (request.view_args or {}).get("filename", "")
            if request.args.get("v") != _static_hash(filename):
                response.headers["Cache-Control"] = "no-cache"
        return response

    @app.before_request
    def _refuse_nul() -> None:
        # No database text can hold NUL (PostgreSQL refuses it outright): say so, in one place.
        values = [request.path, *request.args.values(), *request.form.values()]
        if any("\x00" in value for value in values):
            raise BadRequest("The request contains a character that cannot be used (NUL).")


View = TypeVar("View", bound=Callable[..., Any])


def body_limit(max_bytes: Callable[[], int]) -> Callable[[View], View]:
    """Let one view (an upload) take a larger body than MAX_CONTENT_LENGTH, which every other
    request is held to before anything reads it. `max_bytes()` is asked per request, in the app."""

    def mark(view: View) -> View:
        view.body_limit = max_bytes  # type: ignore[attr-defined]
        return view

    return mark


def _apply_body_limit(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # A URL value preprocessor runs before every before_request hook, and so before the CSRF
    # and NUL checks read the form.
    view = current_app.view_functions.get(endpoint or "")
    limit = getattr(view, "body_limit", None)
    if limit is not None:
        request.max_content_length = request.max_form_memory_size = limit()


def _static_hash(filename: str) -> str | None:
    hashes: dict[str, str] = current_app.extensions["companion.static_hashes"]
    if filename not in hashes:
        path = Path(current_app.static_folder or "static") / filename
        try:
            data = path.read_bytes() if path.is_file() else None
        except OSError:  # a name too long for the file system, and the like: no such file
            data = None
        if data is None:
            return None
        hashes[filename] = hashlib.blake2b(data, digest_size=6).hexdigest()
    return hashes[filename]


def static_url(filename: str) -> str:
    """URL of a static file with its content hash, so browsers may keep it for a year."""
    return url_for("static", filename=filename, v=_static_hash(filename))


def private(response: Response) -> Response:
    """Mark a per-user answer: never stored by a shared cache, nor kept by the browser."""
    response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("Cookie")
    return response


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is plainly a path on this site, else `default` (no open redirects).

    Browsers drop tabs and line breaks inside a URL, trim control characters and spaces around
    it, and read a backslash as a slash, so `/\t/evil.example` is `//evil.example` to them. A
    target with any control, space or separator character or a backslash is refused rather than
    cleaned up, and what is left must parse as a path with neither scheme nor host.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(unicodedata.category(char)[0] in "CZ" for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for links that leave the page (feeds, exports, mails, QR codes): always on
    the configured PUBLIC_URL, never on the Host header of the request, which anyone can set and
    whose answer may be cached for everyone."""
    return str(current_app.config["PUBLIC_URL"]) + url_for(endpoint, **values)


def webcal(url: str) -> str:
    """The webcal:// form of an http(s) calendar URL, which calendar apps subscribe to."""
    return "webcal://" + url.split("://", 1)[1] if "://" in url else url
