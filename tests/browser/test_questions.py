"""Live questions in Chromium (issue 18): one phone asks, another sees it appear and upvotes it,
the first sees the upvote; the track host hides it from their phone and it vanishes from every
screen, the room's big screen included — all over a real stream node."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.browser.conftest import PHONE, sign_in_page
from tests.browser.test_pages import SHOTS
from tests.browser.test_room_full import CONF, _talk

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 800}


def _phone(browser: Any, scheme: str, **options: Any) -> Any:
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        color_scheme=scheme,
        bypass_csp=True,
        **options,
    )
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    return page


def _item(page: Any, text: str) -> Any:
    return page.locator("[data-question-list] > li", has_text=text)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_ask_upvote_and_hide_live_on_every_screen(
    browser: Any, stream_demo: tuple[Flask, str], scheme: str
) -> None:
    app, base_url = stream_demo
    talk, track = _talk(app)
    url = f"{base_url}/{CONF}/sessions/{talk.guid}/questions"
    email = f"quin-{scheme}@example.org"
    runner = app.test_cli_runner()
    for args in (
        ["create-user", email, "--name", "Quin", "--password", "correct horse"],
        ["grant", email, "--conference", CONF, "--track", track],
    ):
        assert runner.invoke(args=args).exit_code == 0

    asker, voter, host = (_phone(browser, scheme) for _ in range(3))
    sign_in_page(host, base_url, email)
    screen = _phone(browser, scheme, storage_state=host.context.storage_state())
    screen.set_viewport_size(DESKTOP)
    for page, address in ((asker, url), (voter, url), (host, url), (screen, url + "?screen=1")):
        page.goto(address)
        page.wait_for_function("document.documentElement.dataset.liveState === 'open'")

    text = f"How do you keep the modules from sharing a database? ({scheme})"
    asker.fill("#ask-text", text)
    asker.get_by_role("button", name="Ask", exact=True).click()
    # The stream may bring the question before the answer does: then the answer adds "mine".
    _item(asker, text).locator("[data-tag=mine]").wait_for(timeout=5_000)
    _item(voter, text).wait_for(timeout=5_000)
    _item(screen, text).wait_for(timeout=5_000)
    assert "Your question" not in _item(voter, text).inner_text()

    _item(voter, text).locator("button.upvote").click()
    for page in (asker, host, screen):
        page.wait_for_function(
            "t => [...document.querySelectorAll('[data-question-list] > li')]"
            ".some(li => li.textContent.includes(t) && li.dataset.votes === '1')",
            arg=text,
            timeout=5_000,
        )
    assert _item(voter, text).locator("button.upvote").get_attribute("aria-pressed") == "true"
    assert _item(asker, text).locator("button.upvote").is_disabled()  # one's own question
    asker.screenshot(path=str(SHOTS / f"questions-{scheme}.png"))
    host.screenshot(path=str(SHOTS / f"questions-host-{scheme}.png"))
    screen.screenshot(path=str(SHOTS / f"questions-screen-{scheme}.png"))

    _item(host, text).get_by_role("button", name="Hide").click()
    for page in (asker, voter, screen):
        _item(page, text).wait_for(state="detached", timeout=5_000)
    assert "Hidden" in _item(host, text).inner_text()  # the host can still restore it
    for page in (asker, voter, host, screen):
        assert page.console_errors == []
        page.context.close()
