"""The offline copy follows the programme edit by edit (issue 15): after a sequence of edits of
every kind, the phone's copy, made of patched pages, is the fresh programme page for page, and
holds nothing that is gone. On a demo of its own, so that the edits reach no other test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.db import get_database_of
from companion.programme.models import Conference, Room, Speaker, Talk, TalkStatus, Track
from tests.browser.conftest import PHONE, demo_server

pytestmark = pytest.mark.browser
CONF = "/qcon-london-2020"
LIST = f"/api/v1/conferences{CONF}/offline"


@pytest.fixture(scope="module")
def own_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    with demo_server(
        tmp_path_factory.mktemp("sync"), FIXED_NOW="2020-03-02T10:40:00+00:00"
    ) as served:
        yield served


def _edit(app: Flask, change: Any) -> None:
    with get_database_of(app).sessionmaker() as db:
        change(db)
        db.commit()


def _talks(db: Session, count: int) -> list[Talk]:
    return list(
        db.execute(select(Talk).where(Talk.kind == "talk").order_by(Talk.id).limit(count)).scalars()
    )


def _synced(page: Any, app: Flask, base_url: str) -> dict[str, str]:
    """Reload until the worker holds the conference's newest revision; the server's list then."""
    with get_database_of(app).sessionmaker() as db:
        revision = db.execute(select(Conference.revision)).scalar_one()
    for _ in range(120):
        page.reload()
        held = page.evaluate(
            "caches.open('meta').then(c => c.keys()).then(keys => Promise.all(keys.map("
            "k => caches.match(k).then(r => r.json()))))"
        )
        if held and held[0]["revision"] == revision:
            listing = requests.get(base_url + LIST, timeout=30).json()
            assert listing["revision"] == revision
            return dict(listing["pages"])
        page.wait_for_timeout(500)
    raise AssertionError(f"the copy never reached revision {revision}: {held}")


def _copy(page: Any) -> dict[str, str]:
    """Every page the worker holds for the conference: path → text."""
    return dict(
        page.evaluate(
            """async (prefixes) => {
                const names = (await caches.keys()).filter((name) => name.startsWith("pages-"));
                const cache = await caches.open(names[0]);
                const held = [];
                for (const request of await cache.keys()) {
                    const path = new URL(request.url).pathname;
                    if (!prefixes.some((prefix) => path.startsWith(prefix))) continue;
                    held.push([path, await (await cache.match(request)).text()]);
                }
                return held;
            }""",
            [f"{CONF}/", f"/api/v1/conferences{CONF}/"],
        )
    )


def test_after_edits_of_every_kind_the_copy_is_a_fresh_sync_page_for_page(
    own_demo: tuple[Flask, str], browser: Any
) -> None:
    app, base_url = own_demo
    # bypass_csp: Playwright's wait_for_function polls with eval, which our CSP rightly forbids.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base_url}{CONF}/programme/2020-03-02/")
    page.wait_for_function("document.documentElement.dataset.offlineReady", timeout=60_000)
    _synced(page, app, base_url)
    paths: list[str] = []
    inner = app.wsgi_app

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        paths.append(environ.get("PATH_INFO", ""))
        return inner(environ, start_response)

    app.wsgi_app = recording  # type: ignore[method-assign]

    def first_edits(db: Session) -> None:
        moved, retimed, retitled = _talks(db, 3)
        rooms = list(db.execute(select(Room).order_by(Room.id)).scalars())
        moved.room_id = next(r.id for r in rooms if r.id != moved.room_id)
        retimed.start += timedelta(minutes=30)
        retimed.end += timedelta(minutes=30)
        retitled.title = "Retitled: what the phone must patch"

    _edit(app, first_edits)
    _synced(page, app, base_url)  # a first delta

    deleted: list[str] = []

    def more_edits(db: Session) -> None:
        talks = _talks(db, 6)
        talks[3].status = TalkStatus.CANCELLED.value
        deleted.append(talks[4].guid)
        db.delete(talks[4])
        conference = db.execute(select(Conference)).scalar_one()
        db.add(
            Talk(
                conference_id=conference.id,
                title="Added late: lightning talks",
                start=talks[5].start,
                end=talks[5].end,
                room_id=talks[5].room_id,
                track_id=talks[5].track_id,
            )
        )
        track = db.execute(select(Track).order_by(Track.id)).scalars().first()
        assert track is not None
        track.name += " (renamed)"
        speaker = db.execute(select(Speaker).order_by(Speaker.id)).scalars().first()
        assert speaker is not None
        speaker.name = "Dr " + speaker.name

    for step in (more_edits,):
        _edit(app, step)
    listing = _synced(page, app, base_url)
    gone = f"{CONF}/sessions/{deleted[0]}/"
    assert gone not in listing
    app.wsgi_app = inner  # type: ignore[method-assign]
    # Patched, never synced afresh: no bundle and no page fetched one by one.
    assert LIST + "/bundle" not in paths and paths.count(LIST + "/changes") >= 2
    assert not [path for path in paths if path.startswith(f"{CONF}/sessions/")]
    copy = _copy(page)
    fresh = {url: requests.get(base_url + url, timeout=30) for url in listing}
    text = {url: r.text for url, r in fresh.items() if not url.endswith((".svg", ".png"))}
    assert gone not in copy
    assert set(copy) == set(listing)
    differing = [url for url in text if copy[url] != text[url]]
    assert differing == [], differing[:5]
    assert "Added late: lightning talks" in copy[f"{CONF}/programme/2020-03-02/"] or any(
        "Added late: lightning talks" in body for body in copy.values()
    )
    context.set_offline(True)
    page.goto(f"{base_url}{CONF}/tracks/")
    assert "(renamed)" in page.content()
    context.set_offline(False)
    assert errors == []
    context.close()
