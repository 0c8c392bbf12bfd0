"""Now & next follow the device's clock, also in the offline copy: a phone that saved the
programme in the morning shows the afternoon's sessions in the afternoon, with no network.

This app has no FIXED_NOW (the shared live app has one, which pins "now" at page load), so the
device clock that Playwright sets is the only clock the pages see."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Room, Talk
from tests.browser.conftest import PHONE, demo_server

pytestmark = pytest.mark.browser
CONF = "/qcon-london-2020"
MORNING = datetime(2020, 3, 2, 10, 40, tzinfo=UTC)
AFTERNOON = datetime(2020, 3, 2, 15, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def device_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """The demo on a live server whose pages carry no FIXED_NOW."""
    with demo_server(tmp_path_factory.mktemp("device-clock")) as served:
        yield served


def _on_at(app: Flask, at: datetime, room: str | None = None) -> list[str]:
    """Titles of the sessions running at `at` (in `room`), from the database."""
    with get_database_of(app).sessionmaker() as db:
        query = select(Talk).where(Talk.start <= at, Talk.end > at).order_by(Talk.start, Talk.id)
        if room:
            query = query.join(Room, Talk.room_id == Room.id).where(Room.slug == room)
        return sorted(t.title for t in db.execute(query).scalars())


def _titles(page: Any, selector: str) -> list[str]:
    page.wait_for_selector(f"{selector} .talk", state="attached")
    return sorted(page.locator(f"{selector} .talk .talk-title").all_inner_texts())


def test_offline_copy_shows_what_is_on_at_the_devices_time(
    device_app: tuple[Flask, str], browser: Any
) -> None:
    app, base_url = device_app
    morning, afternoon = _on_at(app, MORNING), _on_at(app, AFTERNOON)
    in_fleming = _on_at(app, AFTERNOON, "fleming")
    assert morning and afternoon and in_fleming and not set(morning) & set(afternoon)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.clock.install(time=MORNING)
    page.goto(f"{base_url}{CONF}/programme/2020-03-02/")
    page.wait_for_function("document.documentElement.dataset.offlineReady", timeout=60_000)
    with get_database_of(app).sessionmaker() as db:
        guids = {
            title: db.execute(select(Talk.guid).where(Talk.title == title)).scalar_one()
            for title in (morning[0], afternoon[0])
        }
    page.evaluate(
        """async (guids) => {
          const me = await (await fetch('/api/v1/me')).json();
          for (const guid of guids) await fetch(`/api/v1/me/stars/${guid}`,
            {method: 'PUT', headers: {'X-CSRFToken': me.csrf_token}});
        }""",
        list(guids.values()),
    )
    page.goto(f"{base_url}{CONF}/my/")  # saved in the private cache
    assert _titles(page, "[data-now-next-mine]") == sorted([morning[0], afternoon[0]])  # now, next
    page.goto(f"{base_url}{CONF}/")
    assert _titles(page, '[data-glance="now"]') == morning

    page.context.set_offline(True)
    page.clock.set_system_time(AFTERNOON)
    page.goto(f"{base_url}{CONF}/")
    page.wait_for_selector('[data-banner="offline"]', state="attached")
    assert _titles(page, '[data-glance="now"]') == afternoon
    assert page.locator("[data-hero-status] .hero-status:not([hidden])").inner_text() == (
        "Day 1 of 3 · Monday 2 March"
    )
    page.goto(f"{base_url}{CONF}/rooms/fleming/")
    assert _titles(page, '[data-glance="now"]') == in_fleming
    page.goto(f"{base_url}{CONF}/my/")
    assert _titles(page, "[data-now-next-mine]") == [afternoon[0]]  # and nothing after it

    page.clock.set_system_time(datetime(2020, 3, 3, 10, 0, tzinfo=UTC))  # the next morning
    page.goto(f"{base_url}{CONF}/programme/")
    page.wait_for_url(f"**{CONF}/programme/2020-03-03/")
    page.context.set_offline(False)
    assert errors == []
    context.close()
