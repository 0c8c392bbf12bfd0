"""Two gunicorn worker processes on one database (SQLite's file, or PostgreSQL: two app
processes on one server) render a revision's pages once between them, not once each: one claims
the revision, the other waits for it, and then both serve every page from the store."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.offline.models import PageRevision
from companion.programme.models import Talk


def _revisions(dbs: Session) -> list[PageRevision]:
    dbs.expire_all()
    return list(dbs.execute(select(PageRevision)).scalars())


def test_two_workers_render_a_revision_once_and_serve_it_from_the_store(
    serve_gunicorn: Callable[..., str], make_conference, make_talk, dbs: Session
) -> None:
    conference = make_conference()
    talks = [
        make_talk(conference, f"Talk {n}", start=f"1{n}:00", end=f"1{n}:40", track="Streams")
        for n in range(6)
    ]
    base = serve_gunicorn(RENDER_AFTER_EDIT="1")
    listing_url = f"{base}/api/v1/conferences/testconf/offline"
    with ThreadPoolExecutor(8) as pool:
        # Eight phones ask for the list at once, on both workers: one renders, the others wait.
        listings = list(pool.map(lambda _: requests.get(listing_url, timeout=60).json(), range(8)))
        assert all(listing == listings[0] for listing in listings)
        (row,) = _revisions(dbs)
        pages = listings[0]["pages"]
        assert row.state == "complete" and row.rendered == len(pages)

        def fetch(url: str) -> tuple[str, str]:
            response = requests.get(base + url, timeout=30)
            assert response.status_code == 200
            assert response.headers["ETag"] == f'W/"{pages[url]}"'
            return url, response.headers["Server-Timing"]

        served = list(pool.map(fetch, [url for url in pages for _ in range(4)]))
        assert {timing for _, timing in served} == {"store"}

        # An edit: the worker that committed it renders the new revision in the background, once.
        talk = dbs.get(Talk, talks[0].id)
        assert talk is not None
        talk.start += timedelta(minutes=5)
        talk.end += timedelta(minutes=5)
        dbs.commit()
        # (Committed outside the app: the next page asked for starts the render.)
        requests.get(f"{base}/testconf/", timeout=30)
        for _ in range(200):
            done = [r for r in _revisions(dbs) if r.state == "complete"]
            if len(done) == 2:
                break
            requests.get(listing_url, timeout=30)
        newest = max(_revisions(dbs), key=lambda r: r.revision)
        assert newest.state == "complete" and newest.rendered == len(pages)
        served = list(pool.map(lambda url: requests.get(base + url, timeout=30), list(pages) * 2))
        assert {r.headers["Server-Timing"] for r in served} == {"store"}
        moved = requests.get(f"{base}/testconf/sessions/{talk.guid}/", timeout=30)
        assert "10:05" in moved.text
        delta: dict[str, Any] = requests.get(
            f"{listing_url}/changes?since={row.revision}", timeout=30
        ).json()
        assert f"/testconf/sessions/{talk.guid}/" in delta["pages"]
        assert json.dumps(delta).count('"etag"') < len(pages)
