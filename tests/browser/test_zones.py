"""Time zones (issue 17): a phone in Auckland reads the London demo in London time, or, with the
switch in the app bar, in its own time, dates and all, with a date heading where Auckland's
midnight falls between two sessions; the choice lasts across pages; live changes follow it; a
device in the conference's zone sees no switch. And change marks: a server-rendered mark goes
once its change is a day old by the device's clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.hosting.models import AuditEntry
from companion.programme.models import Room, Talk
from tests.browser.conftest import PHONE, demo_server
from tests.browser.test_pages import SHOTS
from tests.conftest import SAME_ORIGIN, sign_in

pytestmark = pytest.mark.browser
CONF = "qcon-london-2020"
DAY = "2020-03-02"
DESKTOP = {"width": 1280, "height": 800}
#: In March 2020 London is on GMT and Auckland on NZDT (+13): London's 11:00 is Auckland's midnight.
AUCKLAND = "Pacific/Auckland"


def _guid(app: Flask, title_start: str) -> str:
    with get_database_of(app).sessionmaker() as db:
        return db.execute(select(Talk.guid).where(Talk.title.startswith(title_start))).scalar_one()


@pytest.fixture
def auckland(browser: Any) -> Iterator[Any]:
    """A phone in Auckland (bypass_csp: page.evaluate dispatches a live frame in one test)."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, timezone_id=AUCKLAND, bypass_csp=True
    )
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    context.close()


def _switch(page: Any) -> Any:
    return page.locator("header.appbar [data-zone-switch]")


def _choose(page: Any, which: str) -> None:
    page.locator(f"header.appbar [data-zone-choice={which}]").click()


def test_the_switch_is_in_the_header_and_converts_times_and_dates(
    live_app: Flask, base_url: str, auckland: Any
) -> None:
    guid = _guid(live_app, "Streaming a Million Likes")  # Monday 11:30–12:20 in London
    auckland.goto(f"{base_url}/{CONF}/sessions/{guid}/")
    switch = _switch(auckland)
    switch.wait_for()
    mine = switch.locator("[data-zone-choice=device]")
    london = switch.locator("[data-zone-choice=conference]")
    assert mine.inner_text() == "My time (Auckland)" and london.inner_text() == "London time"
    assert london.get_attribute("aria-pressed") == "true"
    assert mine.get_attribute("aria-pressed") == "false"
    assert mine.bounding_box()["height"] >= 44 and london.bounding_box()["height"] >= 44
    when = auckland.locator("[data-fact=when]")
    assert when.inner_text() == "Monday 2 March, 11:30–12:20 (50 min, London time (GMT))"

    _choose(auckland, "device")
    assert mine.get_attribute("aria-pressed") == "true"
    assert london.get_attribute("aria-pressed") == "false"
    assert when.inner_text() == "Tuesday 3 March, 00:30–01:20 (50 min, Auckland time (GMT+13))"
    assert auckland.locator("footer [data-zone-label]").inner_text().startswith("Auckland time")

    # A session across Auckland's midnight says that it ends the next day.
    auckland.goto(f"{base_url}/{CONF}/sessions/{_guid(live_app, 'Event Streams as the')}/")
    assert when.inner_text().startswith("Monday 2 March, 23:20–00:10 (+1) (50 min")
    _choose(auckland, "conference")
    assert when.inner_text().startswith("Monday 2 March, 10:20–11:10 (50 min, London time")
    assert auckland.errors == []


def test_the_day_page_breaks_at_auckland_midnight_and_the_choice_lasts(
    base_url: str, auckland: Any
) -> None:
    auckland.goto(f"{base_url}/{CONF}/programme/{DAY}/")
    _choose(auckland, "device")
    auckland.goto(f"{base_url}/{CONF}/programme/{DAY}/")  # the choice is kept on the device
    _switch(auckland).wait_for()
    slots = auckland.locator("[data-timeline] tbody > [data-slot] .slot-time")
    assert slots.first.inner_text() == "21:00"  # London's 08:00 breakfast
    breaks = auckland.locator("[data-timeline] tbody > [data-day-break]")
    assert breaks.all_inner_texts() == ["Tuesday 3 March"]
    # The heading sits between London's 10:45 slot (23:45) and its 11:10 break (00:10).
    after = breaks.first.locator("xpath=following-sibling::*[1]")
    before = breaks.first.locator("xpath=preceding-sibling::*[1]")
    assert after.locator(".slot-time").inner_text() == "00:10"
    assert before.locator(".slot-time").inner_text() == "23:45"
    card = auckland.locator("article.talk", has_text="Event Streams as the Source").first
    assert card.locator(".talk-when time").all_inner_texts() == ["23:20", "00:10 (+1)"]
    _shots(auckland, "zones-day", focus=breaks.first)
    for scheme in ("light", "dark"):  # the switch and the day breaks, as axe reads them
        auckland.emulate_media(color_scheme=scheme)
        violations = Axe().run(auckland).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], scheme
    auckland.emulate_media(color_scheme="light")

    _choose(auckland, "conference")
    assert breaks.count() == 0
    assert slots.first.inner_text() == "08:00"
    assert card.locator(".talk-when time").all_inner_texts() == ["10:20", "11:10"]
    assert auckland.errors == []


def test_a_track_page_names_the_device_days(base_url: str, auckland: Any) -> None:
    auckland.goto(f"{base_url}/{CONF}/tracks/streaming-data-architectures/")
    _choose(auckland, "device")
    cards = auckland.locator(".card-list[data-day-breaks] > article.talk")
    # London's Monday 10:20 is Auckland's Monday 23:20; its 11:30 is Tuesday's 00:30.
    assert cards.nth(0).locator(".talk-when").inner_text().startswith("Mon 2 · 23:20–00:10 (+1)")
    assert cards.nth(1).locator(".talk-when").inner_text().startswith("Tue 3 · 00:30–01:20")
    heading = cards.nth(1).locator("xpath=preceding-sibling::*[1]")
    assert (
        heading.get_attribute("data-day-break") == "" and heading.inner_text() == "Tuesday 3 March"
    )
    _choose(auckland, "conference")
    assert cards.nth(1).locator(".talk-when").inner_text().startswith("Mon 2 · 11:30–12:20")
    assert auckland.locator("[data-day-break]").count() == 0


def test_my_schedule_converts_and_breaks_the_day(
    live_app: Flask, base_url: str, auckland: Any
) -> None:
    auckland.goto(f"{base_url}/{CONF}/programme/{DAY}/")
    auckland.wait_for_selector("html[data-stars-ready]", state="attached")
    for title in ("The Internet of Things", "Streaming a Million Likes"):
        star = auckland.locator("article.talk", has_text=title).first.locator(".star")
        with auckland.expect_response(lambda r: "/stars/" in r.url) as answer:
            star.click()
        assert answer.value.status == 201
    _choose(auckland, "device")
    auckland.goto(f"{base_url}/{CONF}/my/")
    day = auckland.locator("section:has(> .card-list[data-day-breaks])").first
    assert day.locator("h2").inner_text() == "Monday 2 March"
    entries = day.locator(".card-list > .entry .talk-when")
    times = [text.split(" · ")[0] for text in entries.all_inner_texts()]
    assert times == ["22:00–22:50", "00:30–01:20"]
    heading = day.locator("[data-day-break]")
    assert heading.all_inner_texts() == ["Tuesday 3 March"]
    # Free time between them, converted too.
    assert "Free 22:50–00:30 (+1)" in day.inner_text()
    _shots(auckland, "zones-my-schedule", focus=heading)
    assert auckland.errors == []


def test_a_live_change_is_written_in_the_zone_chosen(
    live_app: Flask, base_url: str, auckland: Any
) -> None:
    guid = _guid(live_app, "Event Streams as the")  # 10:20–11:10 London, 23:20–00:10 Auckland
    with get_database_of(live_app).sessionmaker() as db:
        talk = db.execute(select(Talk).where(Talk.guid == guid)).scalar_one()
        room = db.get(Room, talk.room_id)
        assert room is not None
        room_data = {"slug": room.slug, "name": room.name, "label": room.name, "url": "#"}
    auckland.goto(f"{base_url}/{CONF}/sessions/{guid}/")
    _choose(auckland, "device")
    frame = {
        "type": "change",
        "data": {
            "revision": 10_000,
            "sessions": [
                {
                    "guid": guid,
                    "state": "changed",
                    "title": talk.title,
                    "url": f"/{CONF}/sessions/{guid}/",
                    "start": "2020-03-02T12:40:00+00:00",
                    "end": "2020-03-02T13:30:00+00:00",
                    "day": DAY,
                    "room": room_data,
                    "cancelled": False,
                    "changed": ["end", "start"],
                }
            ],
        },
    }
    auckland.evaluate(
        "(frame) => document.dispatchEvent(new CustomEvent('cc:live-frame', { detail: frame }))",
        json.loads(json.dumps(frame)),
    )
    when = auckland.locator("[data-fact=when]")
    assert when.inner_text().startswith("Tuesday 3 March, 01:40–02:30 (50 min")
    mark = auckland.locator("article.session [data-live-mark]")
    assert mark.all_inner_texts() == ["New time, was 23:20"]
    _choose(auckland, "conference")
    assert when.inner_text().startswith("Monday 2 March, 12:40–13:30 (50 min")
    assert mark.all_inner_texts() == ["New time, was 10:20"]
    assert auckland.errors == []


def test_a_live_change_of_the_end_alone_shows_the_old_range(
    live_app: Flask, base_url: str, auckland: Any
) -> None:
    guid = _guid(live_app, "Streaming a Million Likes")  # 11:30–12:20 London
    auckland.goto(f"{base_url}/{CONF}/sessions/{guid}/")
    _choose(auckland, "device")
    where = auckland.locator("[data-fact=where] a")
    room = {"slug": "x", "name": where.get_attribute("data-room-name"), "label": where.inner_text()}
    frame = {
        "type": "change",
        "data": {
            "revision": 10_001,
            "sessions": [
                {
                    "guid": guid,
                    "state": "changed",
                    "title": "Streaming a Million Likes",
                    "url": f"/{CONF}/sessions/{guid}/",
                    "start": "2020-03-02T11:30:00+00:00",
                    "end": "2020-03-02T12:40:00+00:00",
                    "day": DAY,
                    "room": {**room, "url": "#"},
                    "cancelled": False,
                    "changed": ["end"],
                }
            ],
        },
    }
    auckland.evaluate(
        "(frame) => document.dispatchEvent(new CustomEvent('cc:live-frame', { detail: frame }))",
        frame,
    )
    mark = auckland.locator("article.session [data-live-mark]")
    assert mark.all_inner_texts() == ["New time, was 00:30–01:20"]
    assert auckland.errors == []


@pytest.mark.parametrize("zone", ["Europe/London", "Europe/Lisbon"])
def test_no_switch_where_the_device_tells_the_conference_time(
    base_url: str, browser: Any, zone: str
) -> None:
    # Lisbon has another name but London's offsets on the programme's days.
    context = browser.new_context(viewport=PHONE, timezone_id=zone)
    page = context.new_page()
    page.goto(f"{base_url}/{CONF}/programme/{DAY}/")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-zone-switch]").count() == 1
    assert page.locator("[data-zone-switch]").is_hidden()
    assert page.locator(".slot-time").first.inner_text() == "08:00"
    context.close()


def test_the_switch_in_settings(base_url: str, auckland: Any) -> None:
    auckland.goto(f"{base_url}/{CONF}/programme/{DAY}/")
    auckland.wait_for_selector("html[data-stars-ready]", state="attached")
    star = auckland.locator("article.talk .star").first
    with auckland.expect_response(lambda r: "/stars/" in r.url):
        star.click()  # a guest, who has Settings
    auckland.goto(f"{base_url}/settings")
    section = auckland.locator("section[data-zone-section]")
    section.wait_for()
    section.locator("[data-zone-choice=device]").click()
    assert (
        _switch(auckland).locator("[data-zone-choice=device]").get_attribute("aria-pressed")
        == "true"
    )
    _shots(auckland, "zones-settings", sizes=(PHONE,))


def _shots(
    page: Any,
    name: str,
    sizes: tuple[dict[str, int], ...] = (PHONE, DESKTOP),
    focus: Any = None,
) -> None:
    """The page at phone and desktop sizes, light and dark (with `focus` in view, below the
    sticky bars)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for size in sizes:
            page.emulate_media(color_scheme=scheme)
            page.set_viewport_size(size)
            if focus is not None:
                top = focus.evaluate("(el) => el.getBoundingClientRect().top + window.scrollY")
                page.evaluate("(y) => window.scrollTo(0, y)", max(0, top - 200))
            page.screenshot(path=str(SHOTS / f"{name}-{size['width']}-{scheme}.png"))
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(PHONE)


# --- Change marks by the device's clock ----------------------------------------------------------


@pytest.fixture(scope="module")
def edited_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str, str]]:
    """A demo of its own on the real clock (no FIXED_NOW) where an organiser moved a session:
    (app, base URL, the session's guid)."""
    folder: Path = tmp_path_factory.mktemp("marks")
    with demo_server(folder) as (app, base_url):
        runner = app.test_cli_runner()
        for args in (
            ["create-user", "org@example.org", "--name", "Org", "--password", "correct horse"],
            ["grant", "org@example.org", "--conference", CONF, "--organiser"],
        ):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        client = app.test_client()
        sign_in(client, "org@example.org")
        guid = _guid(app, "Event Streams as the")
        start, end = "2020-03-02T10:30", "2020-03-02T11:20"
        with get_database_of(app).sessionmaker() as db:
            busy = set(
                db.execute(
                    select(Talk.room_id).where(
                        Talk.start < datetime.fromisoformat(end + "+00:00"),
                        Talk.end > datetime.fromisoformat(start + "+00:00"),
                    )
                ).scalars()
            )
            free = [r.slug for r in db.execute(select(Room)).scalars() if r.id not in busy]
        moved = client.patch(
            f"/api/v1/sessions/{guid}",
            json={"room": free[0], "start": start, "end": end},
            headers={**SAME_ORIGIN, "If-Match": 'W/"v1"'},
        )
        assert moved.status_code == 200, moved.get_data(as_text=True)
        yield app, base_url, guid


@pytest.mark.parametrize(("hours", "shown"), [(1, True), (25, False)])
def test_a_mark_goes_a_day_after_its_change_by_the_device_clock(
    browser: Any, edited_demo: tuple[Flask, str, str], hours: int, shown: bool
) -> None:
    app, base_url, guid = edited_demo
    with get_database_of(app).sessionmaker() as db:
        at = db.execute(select(AuditEntry.at).where(AuditEntry.talk_guid == guid)).scalars().first()
    assert at is not None
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.clock.install(time=at + timedelta(hours=hours))
    page.goto(f"{base_url}/{CONF}/sessions/{guid}/")
    marks = page.locator("article.session [data-mark]")
    assert marks.count() == 2  # in the page as served, whatever the clock
    page.wait_for_load_state("networkidle")
    assert [marks.nth(i).is_visible() for i in range(2)] == [shown, shown]
    assert marks.nth(1).inner_text().startswith("New time, was 10:20") or not shown
    if shown:
        _shots(page, "session-mark")
        day = page
        day.goto(f"{base_url}/{CONF}/programme/{DAY}/")
        card = day.locator(f"article.talk[data-guid='{guid}']")
        card.scroll_into_view_if_needed()
        assert (
            card.locator("[data-mark]").count() == 2
            and card.locator("[data-mark]").first.is_visible()
        )
        _shots(day, "session-mark-day", sizes=(PHONE,))
    context.close()
