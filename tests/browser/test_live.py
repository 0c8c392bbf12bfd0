"""Live changes on open pages (issue 16): a host moves a session; an attendee's open session page
and programme day page (two tabs, one stream between them) show the new time and room within 2 s
without a reload, marked as changed; My schedule says it under "Changed since you starred"; the
service worker's offline copy holds the new session page afterwards."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from companion.db import get_database_of
from companion.programme.models import Conference, Room, Talk, TalkStatus, Track
from tests.browser.conftest import PHONE, sign_in_page
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser
CONF = "qcon-london-2020"
SHIFT = timedelta(minutes=30)
DESKTOP = {"width": 1280, "height": 800}


def _a_session_to_move(app: Flask) -> tuple[Talk, str, Room, Room]:
    """The first tracked talk of the first day with a room free through it and the half hour
    after: (talk, its track's slug, its room, the free room)."""
    with get_database_of(app).sessionmaker() as db:
        rows = db.execute(
            select(Talk, Track.slug)
            .join(Track, Talk.track_id == Track.id)
            .where(Talk.kind == "talk", Talk.status == TalkStatus.SCHEDULED.value)
            .order_by(Talk.start)
        ).all()
        rooms = db.execute(select(Room).options(selectinload(Room.floor)).order_by(Room.position))
        rooms = rooms.scalars().all()
        for talk, track in rows:
            busy = set(
                db.execute(
                    select(Talk.room_id).where(
                        Talk.start < talk.end + SHIFT,
                        Talk.end > talk.start,
                        Talk.status == TalkStatus.SCHEDULED.value,
                    )
                ).scalars()
            )
            free = [room for room in rooms if room.id not in busy]
            old = next(room for room in rooms if room.id == talk.room_id)
            if free:
                db.expunge_all()
                return talk, track, old, free[0]
    raise AssertionError("the demo has no session with a room free beside it")


def _clock(instant: datetime) -> str:
    """ "10:50" in London, as the pages write it (the demo is in March: GMT)."""
    return instant.strftime("%H:%M")


def _host_moves(browser: Any, base_url: str, talk: Talk, room: Room) -> float:
    """A signed-in host moves `talk` to `room` and half an hour later; when the save came back."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in_page(page, base_url, "lin@example.org")
    page.goto(f"{base_url}/{CONF}/host/sessions/{talk.guid}/move")
    page.select_option("#f-room", value=str(room.id))
    page.fill("#f-minutes", str(int(SHIFT.total_seconds() // 60)))
    page.get_by_role("button", name="Save", exact=True).click()
    confirm = page.locator("input[type=checkbox][name=confirm]")
    if confirm.count():  # a warning to confirm (a speaker's clash, say)
        confirm.check()
        page.get_by_role("button", name="Save", exact=True).click()
    assert page.url.endswith(f"/{CONF}/host/"), page.url
    saved = time.monotonic()
    context.close()
    return saved


def _patched(page: Any, guid: str, start: str) -> None:
    """Wait (2 s at most) for the session's card or session page to show its new start."""
    page.wait_for_selector(
        f"article[data-guid='{guid}']:has(time[datetime='{start}']) [data-live-mark]",
        state="attached",
        timeout=2_000,
    )


def test_a_moved_session_reaches_both_open_tabs_within_two_seconds(
    stream_demo: tuple[Flask, str], browser: Any
) -> None:
    app, base_url = stream_demo
    talk, track, old, new = _a_session_to_move(app)
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=["create-user", "lin@example.org", "--name", "Lin", "--password", "correct horse"]
    )
    assert made.exit_code == 0, made.output
    granted = runner.invoke(
        args=["grant", "lin@example.org", "--conference", CONF, "--track", track]
    )
    assert granted.exit_code == 0, granted.output

    # The attendee: one phone (one browser context), three tabs. bypass_csp: Playwright's
    # wait_for_function evaluates with eval, which our CSP rightly forbids.
    attendee = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    streams: list[str] = []
    attendee.on("request", lambda r: r.resource_type == "eventsource" and streams.append(r.url))
    errors: list[str] = []
    session_url = f"{base_url}/{CONF}/sessions/{talk.guid}/"
    day = talk.start.date().isoformat()
    session = attendee.new_page()
    session.on("pageerror", lambda exc: errors.append(str(exc)))
    session.goto(session_url)
    session.wait_for_selector("html[data-stars-ready]", state="attached")
    with session.expect_response(lambda r: r.url.endswith(f"/stars/{talk.guid}")) as answer:
        session.locator(".title-row .star").click()
    assert answer.value.status == 201
    session.wait_for_function("document.documentElement.dataset.offlineReady", timeout=60_000)
    programme = attendee.new_page()
    programme.on("pageerror", lambda exc: errors.append(str(exc)))
    programme.goto(f"{base_url}/{CONF}/programme/{day}/")
    mine = attendee.new_page()
    mine.goto(f"{base_url}/{CONF}/my/")
    for page in (session, programme, mine):
        page.wait_for_selector("html[data-live-state=open]", state="attached", timeout=10_000)
    node = app.extensions["test.stream"]
    # One connection serves every tab of the device (the node counts what it holds).
    assert len(streams) == 1 and node.status()["connections"] == 1, (streams, node.status())

    saved = _host_moves(browser, base_url, talk, new)
    start = (talk.start + SHIFT).isoformat().replace("+00:00", "Z")
    for page in (session, programme):
        _patched(page, talk.guid, start)
    assert time.monotonic() - saved < 2.0
    card = programme.locator(f"article.talk[data-guid='{talk.guid}']")
    assert card.locator(".talk-when").inner_text() == (
        f"{_clock(talk.start + SHIFT)}–{_clock(talk.end + SHIFT)} · {new.label}"
    )
    marks = [f"Moved from {old.name}", f"New time, was {_clock(talk.start)}"]
    assert card.locator("[data-live-mark]").all_inner_texts() == marks
    # In the slot of its new start, on the page without a reload.
    slot = card.locator("xpath=ancestor::tr[@data-slot]")
    assert slot.locator(".slot-time").inner_text() == _clock(talk.start + SHIFT)
    when = session.locator("[data-fact=when]").inner_text()
    assert f"{_clock(talk.start + SHIFT)}–{_clock(talk.end + SHIFT)}" in when
    assert session.locator("[data-fact=where] dd").inner_text() == new.label
    assert session.locator("article.session [data-live-mark]").all_inner_texts() == marks
    # The star made on this page is still on (the patch leaves it alone).
    assert session.locator(".title-row .star").get_attribute("aria-pressed") == "true"
    changed = mine.locator("section[data-changed-since-starred]")
    changed.wait_for(timeout=2_000)
    assert changed.locator("h2").inner_text() == "Changed since you starred it"
    assert changed.locator(f"li[data-guid='{talk.guid}']").inner_text() == (
        f"{talk.title}: moved to {new.label}, now Mon 2 {_clock(talk.start + SHIFT)}"
    )

    # The offline copy follows: the worker holds the new session page.
    path = f"/{CONF}/sessions/{talk.guid}/"
    held = ""
    for _ in range(60):
        held = session.evaluate(
            """async (path) => {
                const names = (await caches.keys()).filter((name) => name.startsWith("pages-"));
                const copy = names.length && await caches.match(path, { cacheName: names[0] });
                return copy ? copy.text() : "";
            }""",
            path,
        )
        if f'datetime="{start}"' in held:
            break
        session.wait_for_timeout(500)
    assert f'datetime="{start}"' in held and new.label in held
    # Already on screen: when the worker tells the pages of the new revision, no "programme has
    # changed" banner on them.
    with get_database_of(app).sessionmaker() as db:
        revision = db.execute(select(Conference.revision)).scalar_one()
    for page in (session, programme):
        page.wait_for_selector(f"html[data-offline-ready='{revision}']", state="attached")
        assert not page.locator("[data-banner=update]:visible").count()
    assert len(streams) == 1 and node.status()["connections"] == 1, (streams, node.status())
    assert errors == []
    _screenshots(attendee, session, programme)
    mine.screenshot(path=str(SHOTS / "live-my-schedule-390-light.png"))
    attendee.close()


def _screenshots(context: Any, session: Any, programme: Any) -> None:
    """The patched pages at phone and desktop sizes, light and dark."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for size in (PHONE, DESKTOP):
            for name, page in (("session", session), ("day", programme)):
                page.emulate_media(color_scheme=scheme)
                page.set_viewport_size(size)
                page.locator("[data-live-mark]").first.scroll_into_view_if_needed()
                page.screenshot(path=str(SHOTS / f"live-{name}-{size['width']}-{scheme}.png"))


def test_the_service_worker_never_answers_the_stream_or_the_poll(
    base_url: str, browser: Any
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base_url}/{CONF}/")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    events = f"/api/v1/conferences/{CONF}/events"
    answered: list[tuple[str, bool]] = []
    page.on("response", lambda r: answered.append((r.url, r.from_service_worker)))
    page.evaluate(
        """async (url) => {
            const ask = (query, type) => fetch(url + query, { headers: { Accept: type } })
                .then((r) => r.body?.cancel()).catch(() => null);
            await ask("?after=0", "application/json");
            await ask("", "text/event-stream");
        }""",
        events,
    )
    mine = [(url, by_worker) for url, by_worker in answered if events in url]
    assert len(mine) == 2 and not any(by_worker for _, by_worker in mine), mine
    kept = page.evaluate(
        """async (path) => (await Promise.all((await caches.keys()).map(async (name) =>
            (await (await caches.open(name)).keys()).map((r) => r.url)))).flat()
            .filter((url) => url.includes(path))""",
        events,
    )
    assert kept == []
    context.close()


def test_without_event_source_the_page_polls_and_still_patches(
    stream_demo: tuple[Flask, str], browser: Any
) -> None:
    app, base_url = stream_demo
    with get_database_of(app).sessionmaker() as db:
        talk = (
            db.execute(
                select(Talk)
                .where(Talk.kind == "talk", Talk.status == TalkStatus.SCHEDULED.value)
                .order_by(Talk.start.desc())
            )
            .scalars()
            .first()
        )
        assert talk is not None
        guid, title = talk.guid, talk.title
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    context.add_init_script("delete window.EventSource;")
    polls: list[int] = []
    context.on("response", lambda r: "/events?" in r.url and polls.append(r.status))
    page = context.new_page()
    page.goto(f"{base_url}/{CONF}/sessions/{guid}/")
    page.wait_for_selector("html[data-live-state=polling]", state="attached")
    page.wait_for_timeout(500)  # the first poll: the page's baseline

    with get_database_of(app).sessionmaker() as db:
        db.execute(
            select(Talk).where(Talk.guid == guid)
        ).scalar_one().status = TalkStatus.CANCELLED.value
        db.commit()
    page.wait_for_selector("article.session [data-live-mark]", state="attached", timeout=30_000)
    assert page.locator("article.session [data-live-mark]").all_inner_texts() == ["Cancelled"]
    assert "This session will not take place." in page.locator(".alert-danger").inner_text()
    assert page.locator("article.session.is-cancelled .page-title").inner_text() == title
    assert polls and set(polls) <= {200, 304}, polls
    context.close()
