"""The three-colour vote in Chromium at phone size (issue 18): vote once a session has started,
change it, vote offline and see it queued and replayed; a session not started yet says when
voting opens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Talk
from companion.votes.models import Vote
from tests.browser.conftest import PHONE, sign_in_page
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser
CONF = "/qcon-london-2020"
#: Started at 10:20; the demo's clock says 10:40.
RUNNING = "Monolith Decomposition Patterns"
LATER = "Service Meshes in Anger"


def _talk(app: Flask, title_start: str) -> Talk:
    with get_database_of(app).sessionmaker() as db:
        return db.execute(select(Talk).where(Talk.title.startswith(title_start))).scalar_one()


def _cards(app: Flask, talk: Talk) -> list[str]:
    with get_database_of(app).sessionmaker() as db:
        return list(db.execute(select(Vote.colour).where(Vote.talk_id == talk.id)).scalars())


def _wait_for(check: Any, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture(params=["light", "dark"])
def voter(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone that has opened the programme once and saved it for offline use."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        color_scheme=request.param,
        bypass_csp=True,  # wait_for_function evaluates, which our CSP forbids
    )
    page = context.new_page()
    page.scheme = request.param  # type: ignore[attr-defined]
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.goto(f"{base_url}{CONF}/programme/2020-03-02/")
    page.wait_for_function("document.documentElement.dataset.offlineReady", timeout=60_000)
    yield page
    context.close()


def test_vote_change_and_vote_offline(live_app: Flask, voter: Any, base_url: str) -> None:
    talk = _talk(live_app, RUNNING)
    voter.goto(f"{base_url}{CONF}/sessions/{talk.guid}/")
    section = voter.locator("[data-vote]")
    green = section.locator("button[value=green]")
    green.wait_for()
    assert section.locator("[data-vote-form]").is_visible()
    before = len(_cards(live_app, talk))

    green.click()
    voter.wait_for_function(
        "document.querySelector('[data-vote] button[value=green]').ariaPressed === 'true'"
    )
    _wait_for(lambda: len(_cards(live_app, talk)) == before + 1, "the green card was not saved")
    assert "You dropped a green card" in section.locator("[data-vote-status]").inner_text()

    section.locator("button[value=yellow]").click()
    _wait_for(lambda: sorted(_cards(live_app, talk)).count("yellow") >= 1, "no change to yellow")
    assert len(_cards(live_app, talk)) == before + 1  # changed, not added
    assert green.get_attribute("aria-pressed") == "false"

    voter.context.set_offline(True)
    section.locator("textarea").fill("Great examples")
    section.locator("button[value=red]").click()
    voter.wait_for_function("window.ccVotes.pending.all().then(q => q.length === 1)")
    assert "saved on this device" in section.locator("[data-vote-status]").inner_text()
    assert "red" not in _cards(live_app, talk)
    voter.screenshot(path=str(SHOTS / f"vote-offline-{voter.scheme}.png"), full_page=False)

    voter.context.set_offline(False)
    voter.wait_for_function("window.ccVotes.pending.all().then(q => q.length === 0)")
    _wait_for(lambda: "red" in _cards(live_app, talk), "the offline vote was not replayed")
    assert len(_cards(live_app, talk)) == before + 1
    voter.reload()
    voter.wait_for_function(
        "document.querySelector('[data-vote] button[value=red]').ariaPressed === 'true'"
    )
    assert voter.locator("[data-vote] textarea").input_value() == "Great examples"
    section.scroll_into_view_if_needed()
    voter.screenshot(path=str(SHOTS / f"vote-{voter.scheme}.png"), full_page=False)

    voter.locator("[data-vote-withdraw]").click()
    _wait_for(lambda: len(_cards(live_app, talk)) == before, "the card was not taken back")
    assert voter.console_errors == []


def test_a_session_not_started_says_when_voting_opens(
    live_app: Flask, voter: Any, base_url: str
) -> None:
    talk = _talk(live_app, LATER)
    voter.goto(f"{base_url}{CONF}/sessions/{talk.guid}/")
    status = voter.locator("[data-vote-status]")
    voter.wait_for_function(
        "document.querySelector('[data-vote-status]').textContent.startsWith('Voting opens')"
    )
    assert status.inner_text() == "Voting opens when the session starts, at 11:30."
    assert not voter.locator("[data-vote-form]").is_visible()


def test_the_results_page_at_both_sizes(live_app: Flask, voter: Any, base_url: str) -> None:
    """Cards from a dozen attendees, then the organiser's page, on a phone and a desktop."""
    talk = _talk(live_app, "Event Streams as the Source of Truth")
    for n, colour in enumerate(["green"] * 7 + ["yellow"] * 3 + ["red"] * 2):
        attendee = live_app.test_client()
        comment = {0: "Clear and practical.", 10: "Slides were hard to read."}.get(n, "")
        answer = attendee.put(
            f"/api/v1/me/votes/{talk.guid}",
            json={"vote": colour, "comment": comment},
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        assert answer.status_code == 201, answer.text
    email = f"votes-{voter.scheme}@example.org"
    runner = live_app.test_cli_runner()
    for args in (
        ["create-user", email, "--name", "Vic", "--password", "correct horse"],
        ["grant", email, "--conference", CONF.strip("/"), "--organiser"],
    ):
        assert runner.invoke(args=args).exit_code == 0
    sign_in_page(voter, base_url, email)
    voter.goto(f"{base_url}{CONF}/host/votes/?day=2020-03-02")
    row = voter.locator(f"li[data-guid='{talk.guid}']")
    assert row.locator("[data-count=total]").inner_text() == str(len(_cards(live_app, talk)))
    summary = row.locator("summary")
    summary.evaluate("el => el.scrollIntoView({block: 'center'})")  # not under the tab bar
    summary.click()
    assert "Slides were hard to read." in row.inner_text()
    voter.screenshot(path=str(SHOTS / f"votes-results-phone-{voter.scheme}.png"))
    voter.set_viewport_size({"width": 1280, "height": 800})
    row.scroll_into_view_if_needed()
    voter.screenshot(path=str(SHOTS / f"votes-results-desktop-{voter.scheme}.png"))
    assert voter.console_errors == []
