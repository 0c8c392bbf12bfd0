"""Starring in a real Chromium at phone size, and the same schedule on a second device."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Talk
from tests.browser.conftest import PHONE
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser


def _guids(app: Flask, *titles: str) -> list[str]:
    with get_database_of(app).sessionmaker() as db:
        return [
            db.execute(select(Talk.guid).where(Talk.title.startswith(t))).scalar_one()
            for t in titles
        ]


def test_star_see_clash_register_and_open_on_a_second_device(
    live_app: Flask, base_url: str, phone: Any, browser: Any
) -> None:
    keynote, monolith, events = _guids(
        live_app, "The Internet of Things", "Monolith Decomposition", "Event Streams as the Source"
    )
    phone.goto(f"{base_url}/qcon-london-2020/programme/2020-03-02/")
    phone.wait_for_selector("html[data-stars-ready]", state="attached")
    for guid in (keynote, monolith, events):
        button = phone.locator(f"[data-timeline] form.star-form[data-guid='{guid}'] button")
        with phone.expect_response(lambda r, g=guid: r.url.endswith(f"/stars/{g}")) as answer:
            button.click()
        assert answer.value.status == 201
        assert button.get_attribute("aria-pressed") == "true"
    assert phone.url.endswith("/programme/2020-03-02/")  # no page load happened

    phone.goto(f"{base_url}/qcon-london-2020/my/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "my-schedule.png"), full_page=True)
    assert "1 clash:" in phone.locator(".alert-danger").inner_text()
    titles = phone.locator(".entry .talk-title").all_inner_texts()
    assert len(titles) == 3
    clashing = phone.locator(".entry.has-clash .talk-title").all_inner_texts()
    assert sorted(clashing) == sorted(t for t in titles if "Internet of Things" not in t)
    assert phone.console_errors == []

    phone.click("text=Create an account")
    phone.fill("#f-name", "Ada")
    phone.fill("#f-email", "ada.browser@example.org")
    phone.fill("#f-password", "correct horse battery")
    phone.fill("#f-confirm", "correct horse battery")
    phone.click("form.form button[type=submit]")
    assert phone.url.endswith("/qcon-london-2020/my/")
    assert "Signed in as Ada" in phone.locator(".account-line").inner_text()

    laptop = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    second = laptop.new_page()
    second.goto(f"{base_url}/login")
    second.fill("#f-email", "ada.browser@example.org")
    second.fill("#f-password", "correct horse battery")
    second.click("form.form button[type=submit]")
    assert second.url.endswith("/qcon-london-2020/my/")
    assert sorted(second.locator(".entry .talk-title").all_inner_texts()) == sorted(titles)
    second.goto(f"{base_url}/qcon-london-2020/programme/2020-03-02/")
    second.wait_for_selector("html[data-stars-ready]", state="attached")
    pressed = second.locator("[data-timeline] .star[aria-pressed='true']")
    pressed.first.wait_for()
    assert pressed.count() == 3
    laptop.close()
