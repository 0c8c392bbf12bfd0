"""Small things new attendees tripped over (issue 17, "smaller things seen on the way"), checked
the way a person meets them: at phone size in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.browser.test_pages import SHOTS, _guid

pytestmark = pytest.mark.browser
CONF = "/qcon-london-2020"


def test_back_links_and_track_chips_are_44_px_to_tap(
    phone: Any, base_url: str, live_app: Flask
) -> None:
    phone.goto(f"{base_url}{CONF}/sessions/{_guid(live_app, 'Streaming a Million')}/")
    back = phone.locator(".breadcrumb a").first.bounding_box()
    chip = phone.locator("a.chip").first.bounding_box()
    assert back["height"] >= 44 and chip["height"] >= 44
    # The chip's extra height is transparent: a tap above its pill still reaches it.
    hit = phone.evaluate(
        """([x, y]) => document.elementFromPoint(x, y)?.closest('a.chip') !== null""",
        [chip["x"] + chip["width"] / 2, chip["y"] + 3],
    )
    assert hit


@pytest.mark.parametrize("path", ["/", "/sessions/"])
def test_the_app_bar_shows_the_whole_conference_name_on_a_phone(
    phone: Any, base_url: str, live_app: Flask, path: str
) -> None:
    url = f"{base_url}{CONF}/"
    if path == "/sessions/":
        url = f"{base_url}{CONF}/sessions/{_guid(live_app, 'Streaming a Million')}/"
    phone.goto(url)
    title = phone.locator(".appbar-title")
    assert title.inner_text() == "QCon London 2020"
    assert phone.evaluate("t => t.scrollWidth <= t.clientWidth", title.element_handle())
    assert phone.locator(".appbar-search input").bounding_box()["width"] >= 100


def test_the_room_page_says_its_floor_once_and_footers_hold_no_developer_link(
    phone: Any, base_url: str
) -> None:
    phone.goto(f"{base_url}{CONF}/rooms/fleming/")
    line = phone.locator("main .muted").first.inner_text()
    assert line.startswith("3rd floor · Turn left out of the lifts")
    assert line.lower().count("3rd floor") == 1
    assert phone.locator("text=Programme as JSON").count() == 0
    phone.screenshot(path=str(SHOTS / "fit-room-390-light.png"))
