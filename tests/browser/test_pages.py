"""The public pages in a real Chromium at phone size: they load cleanly, pass an axe scan, and the
small scripts (filters, time zone switch, now marker) work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Talk

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "screenshots"


def _guid(app: Flask, title_start: str) -> str:
    with get_database_of(app).sessionmaker() as db:
        return db.execute(select(Talk.guid).where(Talk.title.startswith(title_start))).scalar_one()


def _pages(app: Flask) -> dict[str, str]:
    conf = "/qcon-london-2020"
    return {
        "home": f"{conf}/",
        "programme": f"{conf}/programme/2020-03-02/",
        "session": f"{conf}/sessions/{_guid(app, 'Streaming a Million')}/",
        "track": f"{conf}/tracks/streaming-data-architectures/",
        "speakers": f"{conf}/speakers/",
        "speaker": f"{conf}/speakers/akhilesh-gupta/",
        "room": f"{conf}/rooms/fleming/",
        "search": f"{conf}/search?q=microservices",
        "sign-in": "/login",
        "forgot-password": "/password-reset/",
    }


@pytest.mark.parametrize(
    "phone", [{"color_scheme": "light"}, {"color_scheme": "dark"}], indirect=True, ids=str
)
@pytest.mark.parametrize(
    "name",
    [
        "home",
        "programme",
        "session",
        "track",
        "speakers",
        "speaker",
        "room",
        "search",
        "sign-in",
        "forgot-password",
    ],
)
def test_page_loads_cleanly_and_is_accessible(
    live_app: Flask, base_url: str, phone: Any, name: str
) -> None:
    url = base_url + _pages(live_app)[name]
    response = phone.goto(url)
    assert response.status == 200
    phone.wait_for_load_state("networkidle")
    SHOTS.mkdir(parents=True, exist_ok=True)
    dark = phone.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    phone.screenshot(path=str(SHOTS / f"{name}{'-dark' if dark else ''}.png"))
    assert phone.console_errors == []
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} scrolls sideways ({width}px)"
    violations = Axe().run(phone).response["violations"]
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_filter_by_track_without_reload(live_app: Flask, base_url: str, phone: Any) -> None:
    phone.goto(base_url + _pages(live_app)["programme"])
    phone.evaluate("window.__sameDocument = true")
    phone.click("summary")
    phone.click("a.filter[data-filter-track='streaming-data-architectures']")
    assert phone.evaluate("window.__sameDocument") is True  # no navigation happened
    assert phone.url.endswith("?track=streaming-data-architectures")
    visible = phone.locator("[data-timeline] .talk:visible")
    assert visible.count() == 6
    assert phone.locator("[data-filter-status]").inner_text() == "6 of 50 sessions shown."
    phone.click("a.filter[data-filter-track='']")
    assert phone.locator("[data-timeline] .talk:visible").count() == 50


def test_filter_links_work_without_javascript(live_app: Flask, base_url: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + _pages(live_app)["programme"] + "?kind=keynote")
    assert page.locator("[data-timeline] .talk:visible").count() == 1
    context.close()


@pytest.mark.parametrize("phone", [{"timezone_id": "America/New_York"}], indirect=True)
def test_times_switch_to_the_device_zone(live_app: Flask, base_url: str, phone: Any) -> None:
    # tests/browser/test_zones.py tests the switch fully (dates, day breaks, live changes).
    phone.goto(base_url + _pages(live_app)["session"])
    first = phone.locator(".facts time[data-format=clock]").first
    assert first.inner_text() == "11:30"
    toggle = phone.locator("header [data-zone-choice=device]")
    assert toggle.is_visible()
    toggle.click()
    assert first.inner_text() == "06:30"
    assert "New York time" in phone.locator("[data-zone-label]").first.inner_text()
    phone.reload()
    assert phone.locator(".facts time[data-format=clock]").first.inner_text() == "06:30"  # kept


def test_sessions_on_now_are_marked(live_app: Flask, base_url: str, phone: Any) -> None:
    phone.goto(base_url + _pages(live_app)["programme"])
    on_now = phone.locator(".talk.is-now .talk-title")
    assert on_now.count() >= 1
    assert "Registration" not in on_now.first.inner_text()
