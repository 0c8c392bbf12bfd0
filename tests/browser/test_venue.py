"""Venue maps in a real Chromium at phone size: the venue page (tabs, axe scan), the room
highlighted on room and session pages, and the maps kept offline by the service worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Room, Talk
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser
CONF = "/qcon-london-2020"
SHOTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "screenshots"
#: --here in app.css: the fill of the highlighted room.
HERE = "rgb(255, 176, 32)"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _serious(page: Any) -> list[Any]:
    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_venue_page_has_floor_tabs_and_passes_an_accessibility_scan(
    base_url: str, phone: Any
) -> None:
    assert phone.goto(f"{base_url}{CONF}/venue/").status == 200
    phone.wait_for_load_state("networkidle")
    tabs = phone.get_by_role("tab")
    assert tabs.all_inner_texts() == [
        "Ground floor", "1st floor", "3rd floor", "4th floor", "5th floor", "6th floor"
    ]  # fmt: skip
    assert phone.locator("[data-floor-panel]:visible").count() == 1
    phone.get_by_role("tab", name="3rd floor").click()
    panel = phone.locator("#floor-level-3")
    assert panel.is_visible() and not phone.locator("#floor-ground").is_visible()
    assert phone.url.endswith("#floor-level-3")
    assert phone.get_by_role("tab", name="3rd floor").get_attribute("aria-selected") == "true"
    # Rooms are links with names, in the map and in words beside it.
    assert panel.locator(".map-svg a[aria-label='Fleming']").get_attribute("href") == (
        f"{CONF}/rooms/fleming/"
    )
    assert "3rd floor, turn left out of the lifts" in panel.inner_text()
    phone.keyboard.press("ArrowRight")  # focus is on the tab: the next floor
    assert phone.locator("#floor-level-4").is_visible()
    phone.get_by_role("tab", name="3rd floor").click()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    _shot(phone, "venue")
    assert phone.console_errors == []
    assert _serious(phone) == []
    panel.locator(".map-svg a[aria-label='Whittle']").click()
    phone.wait_for_url(f"{base_url}{CONF}/rooms/whittle/")


def test_venue_page_opens_the_floor_named_in_the_address(base_url: str, phone: Any) -> None:
    phone.goto(f"{base_url}{CONF}/venue/#floor-level-6")
    assert phone.locator("#floor-level-6").is_visible()
    assert phone.locator("[data-floor-panel]:visible").count() == 1


def _highlighted(page: Any) -> Any:
    here = page.locator(".room-map .map-svg .is-here")
    assert here.count() == 1
    return here


def test_room_page_highlights_the_room_on_its_floor(base_url: str, phone: Any) -> None:
    phone.goto(f"{base_url}{CONF}/rooms/fleming/")
    here = _highlighted(phone)
    assert here.get_attribute("data-room") == "fleming"
    fill = here.evaluate("g => getComputedStyle(g.querySelector('rect')).fill")
    assert fill == HERE
    others = phone.locator(".room-map .map-svg .room-shape:not(.is-here) rect")
    assert others.evaluate_all("rs => rs.map(r => getComputedStyle(r).fill)") == [
        "rgb(220, 232, 247)"
    ]  # Whittle keeps the map's own colour
    assert phone.get_by_role(
        "img", name="Map of the 3rd floor with Fleming highlighted"
    ).is_visible()
    phone.locator(".room-map").scroll_into_view_if_needed()
    _shot(phone, "room-map")
    assert phone.console_errors == []
    assert _serious(phone) == []


def test_session_page_highlights_its_room(live_app: Flask, base_url: str, phone: Any) -> None:
    with get_database_of(live_app).sessionmaker() as db:
        guid, slug = db.execute(
            select(Talk.guid, Room.slug)
            .join(Room, Room.id == Talk.room_id)
            .where(Talk.title.startswith("Streaming a Million"))
        ).one()
    phone.goto(f"{base_url}{CONF}/sessions/{guid}/")
    here = _highlighted(phone)
    assert here.get_attribute("data-room") == slug
    assert here.evaluate("g => getComputedStyle(g.querySelector('rect')).fill") == HERE
    phone.locator(".room-map").scroll_into_view_if_needed()
    _shot(phone, "session-map")
    assert phone.console_errors == []


def test_maps_work_offline(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{base_url}{CONF}/programme/2020-03-02/")
        page.wait_for_function("document.documentElement.dataset.offlineReady", timeout=60_000)
        context.set_offline(True)
        page.goto(f"{base_url}{CONF}/venue/#floor-level-4")
        assert page.locator("#floor-level-4 .map-svg a[aria-label='St James']").is_visible()
        page.goto(f"{base_url}{CONF}/rooms/mountbatten/")
        assert page.locator(".room-map .is-here").get_attribute("data-room") == "mountbatten"
        svg = page.evaluate(
            f"fetch('{CONF}/venue/floors/level-6.svg').then(r => r.status + ' ' + "
            "r.headers.get('Content-Type'))"
        )
        assert svg.startswith("200 image/svg+xml")
    finally:
        context.set_offline(False)
        context.close()
