"""The notification control says what is true (issue 17): blocked with how to allow, off with
the reminder settings saying they need it, and what still works."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser
CONF = "qcon-london-2020"
DENIED = "Object.defineProperty(Notification, 'permission', { get: () => 'denied' });"


def _guest_settings(browser: Any, base_url: str, *, init: str | None = None) -> Any:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    if init:
        context.add_init_script(init)
    page = context.new_page()
    page.goto(f"{base_url}/{CONF}/")
    guid = page.locator("form.star-form").first.get_attribute("data-guid")
    page.evaluate("g => fetch('/api/v1/me/stars/' + g, { method: 'PUT' })", guid)  # now a guest
    page.goto(f"{base_url}/settings/")
    return page


def test_blocked_notifications_say_how_to_allow_them_and_what_still_works(
    browser: Any, base_url: str
) -> None:
    page = _guest_settings(browser, base_url, init=DENIED)
    status = page.locator("[data-push-status]")
    status.filter(has_text="blocked").wait_for()
    text = status.inner_text()
    assert "set Notifications to Allow" in text and "calendar feed" in text
    assert page.locator("[data-push-toggle]").is_hidden()
    assert page.locator("[data-needs-push]").is_visible()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.locator("#push-h").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"push-blocked-390-{scheme}.png"))
    page.context.close()


def test_reminder_settings_say_they_need_notifications_while_they_are_off(
    browser: Any, base_url: str
) -> None:
    page = _guest_settings(browser, base_url)
    toggle = page.locator("[data-push-toggle]")
    toggle.wait_for(state="visible")
    assert toggle.inner_text() == "Turn on notifications"
    hint = page.locator("[data-needs-push]")
    assert hint.is_visible()
    assert "not on for this device" in hint.inner_text()
    page.context.close()
