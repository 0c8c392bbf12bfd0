"""Search in a real Chromium: results follow the field as one types, a speaker and a misspelt
title are found online, and the same offline (MiniSearch over the saved programme) once the
service worker has synced; screenshots at phone and desktop sizes, light and dark."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser
CONF = "/qcon-london-2020"
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def synced(browser: Any, base_url: str) -> Iterator[Any]:
    """A phone that opened the programme online and saved it (the service worker synced)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(f"{base_url}{CONF}/programme/2020-03-02/")
    page.wait_for_function("document.documentElement.dataset.offlineReady", timeout=60_000)
    yield page
    context.close()


def _squeeze(html: str) -> str:
    """Markup without the whitespace between tags (the template's indentation), and without
    the colour search.js carries to set a track's colour (the server writes it as a style) and
    the times' `data-original` app.js keeps for its time-zone switch."""
    html = re.sub(r' data-(colour|original)="[^"]*"', "", html).replace(';">', '">')
    return re.sub(r">\s+<", "><", html).strip()


def _speakers(page: Any) -> list[str]:
    return page.locator("#found-speakers + ul > li > a.search-hit-title").all_inner_texts()


def _sessions(page: Any) -> list[str]:
    return page.locator("#found-sessions ~ .card-list .talk-title").all_inner_texts()


def test_results_follow_the_field_as_one_types(synced: Any, base_url: str) -> None:
    page = synced
    page.goto(f"{base_url}{CONF}/search")
    page.locator("#q").press_sequentially("Sam", delay=40)
    page.wait_for_selector("#found-speakers")
    assert _speakers(page)[:2] == ["Sam Newman", "Sam Whitfield"]
    assert page.locator("#found-speakers + ul mark").first.inner_text() == "Sam"
    assert page.url.endswith("/search?q=Sam")
    drawn = page.inner_html("#search-results")
    page.reload()  # the same address, rendered by the server: the same results, the same markup
    assert _squeeze(page.inner_html("#search-results")) == _squeeze(drawn)
    page.locator("#q").press("End")
    page.locator("#q").press_sequentially("ira", delay=40)  # "Samira"
    page.wait_for_function(
        "document.querySelector('#found-speakers + ul a')?.textContent === 'Samira Benali'"
    )
    assert _speakers(page) == ["Samira Benali"]
    assert page.console_errors == []


def test_a_typo_is_forgiven_online_and_offline(synced: Any, base_url: str) -> None:
    page = synced
    page.goto(f"{base_url}{CONF}/search?q=microservises")
    online = _sessions(page)
    assert "To Microservices and Back Again" in online
    assert "Showing results for “microservices”" in page.locator(".search-status").inner_text()
    page.context.set_offline(True)
    page.goto(f"{base_url}{CONF}/search?q=microservises")
    page.wait_for_selector("#found-sessions", timeout=15_000)
    status = page.locator(".search-status").inner_text()
    assert "Searching offline" in status and "Showing results for “microservices”" in status
    assert sorted(_sessions(page)) == sorted(online)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "search-offline-phone.png"))
    page.context.set_offline(False)
    assert page.console_errors == []


def test_a_speaker_is_found_offline_as_one_types(synced: Any, base_url: str) -> None:
    page = synced
    page.goto(f"{base_url}{CONF}/search")
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)
    page.locator("#q").press_sequentially("newm", delay=40)
    page.wait_for_selector("#found-speakers", timeout=15_000)
    assert _speakers(page) == ["Sam Newman"]
    assert page.locator("#found-speakers + ul mark").first.inner_text() == "Newman"
    assert "Searching offline" in page.locator(".search-status").inner_text()
    page.context.set_offline(False)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_search_screenshots(browser: Any, base_url: str, size: str, scheme: str) -> None:
    viewport = PHONE if size == "phone" else DESKTOP
    context = browser.new_context(viewport=viewport, color_scheme=scheme, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{base_url}{CONF}/search?q=sam")
    page.wait_for_load_state("networkidle")
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "" if scheme == "light" else "-dark"
    page.screenshot(path=str(SHOTS / f"search-{size}{suffix}.png"), full_page=False)
    page.goto(f"{base_url}{CONF}/search?q=microservises")
    page.screenshot(path=str(SHOTS / f"search-typo-{size}{suffix}.png"), full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert errors == []
    context.close()
