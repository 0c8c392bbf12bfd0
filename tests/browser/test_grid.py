"""The day page in Chromium (issue 17): a room × time grid at 1280×800 that lines sessions up by
room and by start, keeps its room names and times in sight, spans breaks across the rooms and
keeps aligned under a filter; at 390×844 the list in time order, a compact mode (with and without
JS, remembered) and "Now", which lands on the current slot (FIXED_NOW: 10:40 on the first day)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from tests.browser.conftest import PHONE
from tests.browser.test_live import SHIFT, _a_session_to_move, _host_moves, _patched
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}
DAY = "/qcon-london-2020/programme/2020-03-02/"
#: At DEMO_NOW (10:40) the 10:20 talks are on: that row is the current slot.
CURRENT = "t-1020"

#: The shown cards, with their boxes relative to the table (the page above it may move).
CARDS_JS = """() => [...document.querySelectorAll("[data-timeline] article.talk")]
  .filter((card) => !card.hidden)
  .map((card) => {
    const table = document.querySelector("[data-grid]").getBoundingClientRect();
    const rect = card.getBoundingClientRect();
    const box = { x: rect.x - table.x, y: rect.y - table.y, right: rect.right - table.x,
                  height: rect.height };
    const room = card.querySelector(".talk-when a[data-room-name]");
    return { guid: card.dataset.guid, start: card.dataset.start, kind: card.dataset.kind,
             room: room ? room.dataset.roomName : "", x: box.x, y: box.y, right: box.right,
             height: box.height };
  })"""


def _page(browser: Any, size: dict[str, int], scheme: str = "light", **options: Any) -> Any:
    context = browser.new_context(viewport=size, color_scheme=scheme, **options)
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def _grid_box(page: Any) -> dict[str, float]:
    return page.locator("[data-timeline]").bounding_box()


def _check_alignment(cards: list[dict[str, Any]]) -> None:
    """Same room → same column x; same start → same row y (1 px of rounding)."""
    rooms: dict[str, set[int]] = {}
    starts: dict[str, set[int]] = {}
    for card in cards:
        if card["kind"] != "break":
            rooms.setdefault(card["room"], set()).add(round(card["x"]))
        starts.setdefault(card["start"], set()).add(round(card["y"]))
    assert len(rooms) >= 6
    for room, xs in rooms.items():
        assert max(xs) - min(xs) <= 1, (room, xs)
    for start, ys in starts.items():
        assert max(ys) - min(ys) <= 1, (start, ys)
    # Different rooms are different columns, different starts are different rows.
    assert len({min(xs) for xs in rooms.values()}) == len(rooms)
    assert len({min(ys) for ys in starts.values()}) == len(starts)


def test_the_grid_lines_up_by_room_and_start(live_app: Flask, base_url: str, browser: Any) -> None:
    page = _page(browser, DESKTOP)
    page.goto(f"{base_url}{DAY}#top")  # a fragment: the page must not scroll to now by itself
    cards = page.evaluate(CARDS_JS)
    assert len(cards) == 50
    _check_alignment(cards)
    headers = page.locator("thead th[scope=col][data-room]").all_inner_texts()
    assert headers == [
        "Churchill Auditorium",
        "Sponsored Solutions Stage (Moore)",
        "Fleming",
        "Whittle",
        "Rutherford",
        "Open Space (Windsor)",
        "Mountbatten",
    ]  # the conference's room order; the foyer (breaks only) and rooms unused today are not
    # Each session is as tall as it lasts: a 50-minute talk is about twice a 25-minute one.
    by_start = {c["start"]: c for c in cards if c["room"] == "Sponsored Solutions Stage (Moore)"}
    half = by_start["2020-03-02T10:20:00Z"]["height"]
    whole = next(c for c in cards if c["room"] == "Fleming" and c["start"].endswith("10:20:00Z"))
    assert 1.8 < (whole["height"] + 6) / (half + 6) < 2.2, (whole["height"], half)
    # A break spans every room: from the first column's left to the last column's right.
    columns = [c for c in cards if c["kind"] != "break"]
    left, right = min(c["x"] for c in columns), max(c["right"] for c in columns)
    breaks = [c for c in cards if c["kind"] == "break"]
    assert len(breaks) == 5
    for card in breaks:
        assert abs(card["x"] - left) <= 1 and abs(card["right"] - right) <= 1, card
    # A keynote stays in its room's column.
    keynote = next(c for c in cards if c["kind"] == "keynote")
    churchill = next(c for c in columns if c["room"] == "Churchill Auditorium" and c is not keynote)
    assert abs(keynote["x"] - churchill["x"]) <= 1 and keynote["right"] < right - 200
    assert page.errors == []
    page.context.close()


def test_the_room_names_and_times_stay_in_sight(
    live_app: Flask, base_url: str, browser: Any
) -> None:
    page = _page(browser, {"width": 1000, "height": 800})  # narrower than the grid: both ways
    page.goto(f"{base_url}{DAY}#top")
    grid = page.locator("[data-timeline]")
    grid.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.querySelector('[data-timeline]').offsetTop)")
    grid.evaluate("(box) => box.scrollTo(200, 900)")
    box = _grid_box(page)
    assert grid.evaluate("(box) => [box.scrollLeft, box.scrollTop]") == [200, 900]
    header = page.locator("thead th[data-room='Fleming']").bounding_box()
    assert abs(header["y"] - box["y"] - 1) <= 1  # still at the top of the grid's box
    corner = page.locator("thead .grid-corner").bounding_box()
    assert abs(corner["x"] - box["x"] - 1) <= 1
    # The time of a row in view is at the left edge, over the room columns scrolled under it.
    row = page.evaluate(
        """() => { const box = document.querySelector("[data-timeline]").getBoundingClientRect();
          const row = [...document.querySelectorAll("tbody tr[data-slot]")]
            .find((r) => r.getBoundingClientRect().top > box.top + 60);
          return row.id; }"""
    )
    time = page.locator(f"#{row} > th").bounding_box()
    assert abs(time["x"] - box["x"] - 1) <= 1
    page.context.close()


def test_a_filter_keeps_the_grid_aligned(live_app: Flask, base_url: str, browser: Any) -> None:
    page = _page(browser, DESKTOP)
    page.goto(f"{base_url}{DAY}#top")
    before = {c["guid"]: c for c in page.evaluate(CARDS_JS)}
    page.locator("[data-filters] summary").click()
    page.locator("a.filter[data-filter-track='streaming-data-architectures']").click()
    after = page.evaluate(CARDS_JS)
    assert 0 < len(after) < len(before)
    for card in after:  # what is left stays in its column and at its row
        assert (round(card["x"]), round(card["y"])) == (
            round(before[card["guid"]]["x"]),
            round(before[card["guid"]]["y"]),
        )
    page.context.close()


def test_the_phone_list_keeps_time_order(live_app: Flask, base_url: str, browser: Any) -> None:
    page = _page(browser, PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{base_url}{DAY}#top")
    cards = page.evaluate(CARDS_JS)
    assert len(cards) == 50
    starts = [c["start"] for c in cards]
    assert starts == sorted(starts)  # the rows are in time order; the list reads the same
    ys = [c["y"] for c in cards]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)  # one under the other
    assert len({round(c["x"]) for c in cards}) == 1
    assert not page.locator("thead").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    slot = page.locator(f"#{CURRENT} > th.slot-time")
    assert slot.is_visible() and slot.inner_text() == "10:20"
    assert page.locator("tr.grid-gap").first.is_hidden()  # no empty "09:50" heading on phones
    page.context.close()


def test_compact_mode_is_one_line_a_session(live_app: Flask, base_url: str, browser: Any) -> None:
    page = _page(browser, PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{base_url}{DAY}#top")
    tall = page.evaluate(CARDS_JS)
    page.get_by_label("Compact list").check()
    short = page.evaluate(CARDS_JS)
    assert all(c["height"] <= 46 for c in short), sorted(c["height"] for c in short)[-3:]
    assert sum(c["height"] for c in short) < sum(c["height"] for c in tall) / 2
    line = page.locator(f"#{CURRENT} article.talk").first
    assert line.locator(".star").is_visible() and line.locator(".talk-title").is_visible()
    assert line.locator("a[data-room-name]").is_visible()
    assert line.locator(".talk-speakers").is_hidden()
    page.reload()  # remembered on this device
    assert page.get_by_label("Compact list").is_checked()
    page.context.close()
    # Without JS, the checkbox alone does it.
    page = _page(browser, PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    page.goto(f"{base_url}{DAY}")
    page.get_by_label("Compact list").check()
    assert all(
        c <= 46
        for c in page.locator("article.talk:visible").evaluate_all(
            "(cards) => cards.map((card) => card.getBoundingClientRect().height)"
        )
    )
    page.context.close()


def _top_row(page: Any) -> str:
    """The id of the first slot whose cards are in view under the sticky headings."""
    return page.evaluate(
        """() => [...document.querySelectorAll("tr[data-slot]")]
          .find((row) => row.querySelector(".talk").getBoundingClientRect().bottom > 100).id"""
    )


def test_the_day_opens_at_now_and_now_comes_back(
    live_app: Flask, base_url: str, browser: Any
) -> None:
    page = _page(browser, PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{base_url}{DAY}")
    page.wait_for_function("scrollY > 0")
    assert _top_row(page) == CURRENT
    heading = page.locator(f"#{CURRENT} > th").bounding_box()
    assert 40 <= heading["y"] <= 70  # just under the app bar
    page.evaluate("scrollTo(0, 0)")
    page.get_by_role("link", name="Now", exact=True).first.click()
    page.wait_for_function("scrollY > 0")
    assert _top_row(page) == CURRENT
    assert page.url.endswith(f"#{CURRENT}")
    # An address with a place in it is left there.
    page.goto(f"{base_url}{DAY}#t-1650")
    page.wait_for_timeout(300)
    assert _top_row(page) != CURRENT
    page.context.close()
    # Wide: the grid scrolls in its box to the row, under the room names.
    page = _page(browser, DESKTOP)
    page.goto(f"{base_url}{DAY}")
    page.wait_for_function("document.querySelector('[data-timeline]').scrollTop > 0")
    box = _grid_box(page)
    head = page.locator("thead .grid-corner").bounding_box()
    row = page.locator(f"#{CURRENT}").bounding_box()
    assert abs(row["y"] - (head["y"] + head["height"])) <= 2 and head["y"] >= box["y"]
    page.context.close()


def test_now_without_javascript_is_the_server_redirect(
    live_app: Flask, base_url: str, browser: Any
) -> None:
    page = _page(browser, PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    page.goto(f"{base_url}{DAY}")
    page.get_by_role("link", name="Now", exact=True).first.click()
    page.wait_for_url(f"**{DAY}#{CURRENT}")
    assert _top_row(page) == CURRENT
    page.context.close()


def _no_serious_violations(page: Any) -> None:
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(live_app: Flask, base_url: str, browser: Any, scheme: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _page(browser, DESKTOP, scheme)
    page.goto(f"{base_url}{DAY}")
    page.wait_for_function("document.querySelector('[data-timeline]').scrollTop > 0")
    page.screenshot(path=str(SHOTS / f"day-grid-{scheme}.png"))
    _no_serious_violations(page)  # the phone layout: tests/browser/test_pages.py
    # The compact switch is hidden on wide screens, and ticked it changes nothing there.
    page.locator("[data-compact]").evaluate("(box) => { box.checked = true; }")
    assert page.locator("[data-timeline] article.talk").first.bounding_box()["height"] > 100
    page.context.close()
    page = _page(browser, PHONE, scheme, is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto(f"{base_url}{DAY}")
    page.wait_for_function("scrollY > 0")
    page.screenshot(path=str(SHOTS / f"day-phone-{scheme}.png"))
    page.get_by_label("Compact list").check()
    page.locator(f"#{CURRENT}").scroll_into_view_if_needed()
    page.get_by_role("link", name="Now", exact=True).first.click()
    page.screenshot(path=str(SHOTS / f"day-phone-compact-{scheme}.png"))
    _no_serious_violations(page)
    assert page.errors == []
    page.context.close()


def test_a_live_move_lays_the_grid_out_again(stream_demo: tuple[Flask, str], browser: Any) -> None:
    """A host moves a session half an hour later into a room unused that day: the open grid puts
    it in a new column for that room, at the row of its new start, everything still aligned."""
    app, base_url = stream_demo
    talk, track, _old, new = _a_session_to_move(app)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-user", "lin@example.org", "--password", "correct horse"])
    assert made.exit_code == 0, made.output
    granted = runner.invoke(
        args=["grant", "lin@example.org", "--conference", "qcon-london-2020", "--track", track]
    )
    assert granted.exit_code == 0, granted.output
    page = _page(browser, DESKTOP)
    page.goto(f"{base_url}/qcon-london-2020/programme/{talk.start.date().isoformat()}/#top")
    page.wait_for_selector("html[data-live-state=open]", state="attached", timeout=10_000)
    before = len(page.evaluate(CARDS_JS))
    rooms = page.locator("thead th[data-room]").all_inner_texts()
    assert new.name not in rooms

    _host_moves(browser, base_url, talk, new)
    start = (talk.start + SHIFT).isoformat().replace("+00:00", "Z")
    _patched(page, talk.guid, start)
    cards = page.evaluate(CARDS_JS)
    assert len(cards) == before
    _check_alignment(cards)
    # New columns come after the others until the page is rendered again (the foyer's too: the
    # moved talk now runs beside the morning break, which no longer spans every room).
    headers = page.locator("thead th[data-room]").all_inner_texts()
    assert headers[: len(rooms)] == rooms and new.name in headers[len(rooms) :]
    moved = next(c for c in cards if c["guid"] == talk.guid)
    header = page.evaluate(
        """(name) => {
          const table = document.querySelector("[data-grid]").getBoundingClientRect();
          const th = document.querySelector(`thead th[data-room="${name}"]`);
          return th.getBoundingClientRect().x - table.x; }""",
        new.name,
    )
    assert abs(moved["x"] - header - 3) <= 1  # in the new room's column (3 px: the cell's padding)
    row = page.locator(f"article[data-guid='{talk.guid}']").locator("xpath=ancestor::tr")
    assert row.get_attribute("id") == "t-" + (talk.start + SHIFT).strftime("%H%M")
    assert not page.locator("[data-banner=update]:visible").count()
    assert page.errors == []
    page.context.close()
