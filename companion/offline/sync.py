"""What the service worker syncs its offline copy with, all from the page store: the list of
pages with each one's ETag, the whole copy in one bundle (a first sync), and the changes since
the revision a phone holds (every later sync: one request of a few kilobytes per edit).

Each serves the newest revision that is completely rendered, so a copy is always one revision,
never a mix; while a new revision is being rendered, phones get the one before and the next
sync brings them on."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Response, current_app, request

from companion.caching import cached_response, make_etag, stored_response
from companion.errors import BadRequest, Unavailable
from companion.offline import delta
from companion.offline.render import render_revision
from companion.offline.store import Manifest, page_store
from companion.offline.views import bp
from companion.parsing import small_int
from companion.programme.queries import ConferenceStamp, get_conference_stamp_or_404

#: How long a request waits for a render when this build has no revision stored at all (right
#: after a deploy): short enough for a sync worker's timeout; the phone asks again later. Without
#: a background renderer (the test suite) the request renders, however long that takes.
RENDER_WAIT_SECONDS = 20.0
RENDER_HERE_SECONDS = 300.0


def _manifest(stamp: ConferenceStamp) -> Manifest:
    """The newest completely rendered revision: the current one if it is, else (while it
    renders in the background) the one before; rendered here when there is none at all."""
    store = page_store()
    found = store.manifest(stamp.id, stamp.revision)
    if found is not None:
        return found
    if store.on_missing is not None:  # a background renderer is at work (or is started now)
        store.on_missing(stamp.id, stamp.revision)
        found = store.latest(stamp.id)
        if found is not None:
            return found
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    wait = RENDER_WAIT_SECONDS if store.on_missing is not None else RENDER_HERE_SECONDS
    found = render_revision(app, stamp.id, wait=wait)
    if found is None:
        raise Unavailable("The offline copy of this programme is still being prepared.")
    return found


@bp.get("/api/v1/conferences/<conf>/offline")
def offline_list(conf: str) -> Response:
    """Every page of the offline copy and its ETag, for one revision."""
    stamp = get_conference_stamp_or_404(conf)
    manifest = _manifest(stamp)

    def render() -> str:
        return json.dumps(
            {
                "conference": stamp.slug,
                "revision": manifest.revision,
                "build": manifest.build,
                "pages": manifest.pages,
            },
            separators=(",", ":"),
        )

    return _pending(stamp, manifest, _json("offline-list", stamp, manifest, render))


@bp.get("/api/v1/conferences/<conf>/offline/bundle")
def bundle(conf: str) -> Response:
    """The whole offline copy in one answer (every page that is text; map images are listed
    to be fetched on their own)."""
    stamp = get_conference_stamp_or_404(conf)
    manifest = _manifest(stamp)
    try:
        response = _stored(manifest, delta.bundle(page_store(), manifest))
    except LookupError:  # a body of it is gone: have the revision rendered again
        page_store().forget(manifest)
        raise Unavailable("The offline copy of this programme is being prepared again.") from None
    return _pending(stamp, manifest, response)


@bp.get("/api/v1/conferences/<conf>/offline/changes")
def changes(conf: str) -> Response:
    """What changed since the revision `since` a phone holds (of build `build`): each changed
    page as a patch or a body, and the pages gone; `{"full": true}` when that revision is too
    old (or of another build) to say, and the phone takes the bundle."""
    stamp = get_conference_stamp_or_404(conf)
    since = small_int(request.args.get("since", ""))
    if since is None:
        raise BadRequest("Say which revision the copy holds: ?since=<a revision number>.")
    manifest = _manifest(stamp)
    store = page_store()
    base = None
    if request.args.get("build", manifest.build) == manifest.build and since <= manifest.revision:
        base = store.manifest(stamp.id, since)
    if base is not None:
        try:
            return _pending(
                stamp, manifest, _stored(manifest, delta.changes(store, base, manifest))
            )
        except LookupError:  # that revision was pruned meanwhile (another process kept it)
            pass
    document = {"revision": manifest.revision, "build": manifest.build, "full": True}
    return _pending(
        stamp, manifest, _json("offline-full", stamp, manifest, lambda: json.dumps(document))
    )


def _json(
    name: str, stamp: ConferenceStamp, manifest: Manifest, render: Callable[[], str]
) -> Response:
    """A JSON answer made from one manifest, kept in this process's cache for its revision."""
    return cached_response(
        (name, stamp.id, manifest.revision),
        make_etag(name, stamp.id, manifest.revision),
        render,
        mimetype="application/json",
    )


def _pending(stamp: ConferenceStamp, manifest: Manifest, response: Response) -> Response:
    """Say when a newer revision than the one answered is being rendered (`Revision-Pending`),
    so that the service worker asks again in a moment rather than on the next page load."""
    if manifest.revision < stamp.revision:
        response.headers["Revision-Pending"] = str(stamp.revision)
    return response


def _stored(manifest: Manifest, etag: str) -> Response:
    store = page_store()
    return stored_response(
        etag,
        lambda: store.cached_body(manifest.conference_id, etag),
        mimetype="application/json",
    )
