"""HTTP plumbing every feature shares: the build id, static URLs, safe redirects, absolute URLs,
body limits, strict JSON. Cached answers and conditional GETs are in `companion.caching`."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, url_for
from flask.json.provider import DefaultJSONProvider

from companion import caching
from companion.errors import BadRequest
from companion.parsing import load_json

#: Static files are referenced with a content hash in their URL, so they never change.
STATIC_MAX_AGE = 365 * 24 * 3600


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
    """Set up the build id, the page caches and `static_url` for templates."""
    app.json = StrictJSONProvider(app)
    root = Path(app.root_path)
    package = Path(__file__).resolve().parent
    app.config["BUILD_ID"] = build_id(root / "templates", root / "static", package)
    app.config["STARTED_AT"] = datetime.now(UTC)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_MAX_AGE
    caching.init_app(app)
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
