"""What a phone downloads to bring its offline copy from one revision to another (a delta: the
changed pages as small patches against the pages it holds, in one answer), or to make its first
copy (a bundle: every page in one compressed answer, far smaller than the pages one by one,
since they share their layout). Both are built from the store once per revision and stored
there themselves, so every further phone costs one read.

A patch is a list of `[start, end, text]`: replace tokens `start:end` of the held body with
`text`, where a body's tokens are what `TOKEN` finds (runs ending in a newline, `>` or `}`, so
that HTML and JSON both split into small pieces). `static/js/…` in the service worker applies it
and checks the result's SHA-256 before keeping it."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from companion.caching import make_etag
from companion.offline.models import PageBody
from companion.offline.store import Body, Manifest, PageStore

TOKEN = re.compile(r"[^\n>}]*[\n>}]|[^\n>}]+\Z")
#: Stored bundles and deltas are told apart from pages by these media types.
BUNDLE_TYPE = "application/vnd.companion.bundle+json"
DELTA_TYPE = "application/vnd.companion.delta+json"
#: Pages read from the store at a time while a bundle is built.
BUNDLE_CHUNK = 200
#: A patch larger than this share of the new body is not worth it: the body is sent instead.
PATCH_LIMIT = 0.5
#: Media types a bundle or delta carries as text; any other (a map file, served with its own
#: security headers) is listed for the service worker to fetch itself.
TEXT_TYPES = ("text/", "application/json")


def is_text(media_type: str) -> bool:
    """Whether a body of this type travels inside a bundle or delta."""
    return media_type.startswith(TEXT_TYPES)


def tokens(text: str) -> list[str]:
    """The pieces patches address (joined, they are `text` again)."""
    return TOKEN.findall(text)


def patch(old: str, new: str) -> list[list[Any]]:
    """The edits that turn `old` into `new`, token by token."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b)
    return [
        [i1, i2, "".join(b[j1:j2])] for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"
    ]


def apply(old: str, edits: list[list[Any]]) -> str:
    """`old` with `edits` applied (what the service worker does; tests check both agree)."""
    pieces = tokens(old)
    for start, end, text in reversed(edits):
        pieces[start:end] = [text]
    return "".join(pieces)


def sha256(text: str) -> str:
    """The digest the service worker checks a patched body against."""
    return hashlib.sha256(text.encode()).hexdigest()


def bundle_etag(conference_id: int, revision: int) -> str:
    """Where the bundle of a revision is stored."""
    return make_etag("bundle", conference_id, revision)


def delta_etag(conference_id: int, since: int, revision: int) -> str:
    """Where the delta between two revisions is stored."""
    return make_etag("delta", conference_id, since, revision)


def bundle(store: PageStore, manifest: Manifest) -> str:
    """The ETag of the stored bundle of `manifest` (built and stored the first time). Built as
    one gzip stream, a few hundred pages at a time, so that a large programme's pages are never
    all in memory at once."""
    etag = bundle_etag(manifest.conference_id, manifest.revision)
    if _stored(store, manifest.conference_id, etag):
        return etag
    types = _types(store, manifest.conference_id, manifest.pages.values())
    packer = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # a gzip stream
    head = json.dumps({"revision": manifest.revision, "build": manifest.build})[:-1]
    pieces = [f'{head},"pages":['.encode()]
    packed = [packer.compress(pieces[0])]
    size = len(pieces[0])
    urls = list(manifest.pages)
    for start in range(0, len(urls), BUNDLE_CHUNK):
        chunk = urls[start : start + BUNDLE_CHUNK]
        bodies = store.read(manifest.conference_id, (manifest.pages[url] for url in chunk))
        for n, url in enumerate(chunk):
            page_etag = manifest.pages[url]
            entry: dict[str, Any] = {"url": url, "etag": page_etag, "type": types[page_etag]}
            if is_text(types[page_etag]):
                entry["body"] = bodies[page_etag].plain().decode()
            else:
                entry["fetch"] = True
            piece = (b"," if start + n else b"") + json.dumps(entry, separators=(",", ":")).encode()
            packed.append(packer.compress(piece))
            size += len(piece)
    packed += [packer.compress(b"]}"), packer.flush()]
    store.write(
        manifest.conference_id,
        [Body(etag, BUNDLE_TYPE, b"", packed=b"".join(packed), size=size + 2)],
    )
    return etag


def changes(store: PageStore, since: Manifest, manifest: Manifest) -> str:
    """The ETag of the stored delta from `since` to `manifest` (built the first time)."""
    etag = delta_etag(manifest.conference_id, since.revision, manifest.revision)
    if not _stored(store, manifest.conference_id, etag):
        changed = {
            url: page_etag
            for url, page_etag in manifest.pages.items()
            if since.pages.get(url) != page_etag
        }
        bases = {since.pages[url] for url in changed if url in since.pages}
        bodies = store.read(manifest.conference_id, [*changed.values(), *bases])
        types = _types(store, manifest.conference_id, changed.values())
        pages: dict[str, dict[str, Any]] = {}
        for url, page_etag in changed.items():
            entry: dict[str, Any] = {"etag": page_etag, "type": types[page_etag]}
            if not is_text(types[page_etag]):
                entry["fetch"] = True
            else:
                new = bodies[page_etag].plain().decode()
                base = since.pages.get(url)
                edits = patch(bodies[base].plain().decode(), new) if base else None
                if edits is not None and len(json.dumps(edits)) < PATCH_LIMIT * len(new):
                    entry.update(base=base, patch=edits, sha256=sha256(new))
                else:
                    entry["body"] = new
            pages[url] = entry
        document = {
            "revision": manifest.revision,
            "since": since.revision,
            "build": manifest.build,
            "pages": pages,
            "removed": [url for url in since.pages if url not in manifest.pages],
        }
        store.write(manifest.conference_id, [_json_body(etag, DELTA_TYPE, document)])
    return etag


def prepare(store: PageStore, manifest: Manifest) -> None:
    """Right after a revision is rendered: its bundle, and the delta from the one before, so
    that the phones that come asking find them made."""
    bundle(store, manifest)
    before = store.previous(manifest)
    if before is not None:
        changes(store, before, manifest)


def prune(
    db_session: Session,
    conference_id: int,
    referred: set[str],
    newest: int | None,
    kept: set[int],
    before: datetime,
) -> None:
    """Delete the conference's bodies that no kept manifest refers to, that no render touched
    since `before` (one in progress keeps what it wrote), and that are not the bundle or a delta
    of this build's newest revision (`newest`, with deltas from each of `kept`)."""
    wanted = set(referred)
    if newest is not None:
        wanted.add(bundle_etag(conference_id, newest))
        wanted |= {delta_etag(conference_id, since, newest) for since in kept}
    stale = set(
        db_session.execute(
            select(PageBody.etag).where(
                PageBody.conference_id == conference_id, PageBody.created_at < before
            )
        ).scalars()
    )
    gone = sorted(stale - wanted)
    for start in range(0, len(gone), 500):
        db_session.execute(
            delete(PageBody).where(
                PageBody.conference_id == conference_id,
                PageBody.etag.in_(gone[start : start + 500]),
            )
        )


def _stored(store: PageStore, conference_id: int, etag: str) -> bool:
    with store.session() as db_session:
        found = db_session.execute(
            select(PageBody.etag).where(
                PageBody.conference_id == conference_id, PageBody.etag == etag
            )
        )
        return found.first() is not None


def _types(store: PageStore, conference_id: int, etags: Any) -> dict[str, str]:
    wanted = list(set(etags))
    found: dict[str, str] = {}
    with store.session() as db_session:
        for start in range(0, len(wanted), 500):
            rows = db_session.execute(
                select(PageBody.etag, PageBody.media_type).where(
                    PageBody.conference_id == conference_id,
                    PageBody.etag.in_(wanted[start : start + 500]),
                )
            )
            found.update((etag, media_type) for etag, media_type in rows)
    return found


def _json_body(etag: str, media_type: str, document: dict[str, Any]) -> Body:
    return Body(etag, media_type, json.dumps(document, separators=(",", ":")).encode())
