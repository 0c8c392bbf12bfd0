"""Room full in Chromium (issue 18): a track host marks the room of their session full from the
phone in one tap; an attendee's open room page and session page show it within seconds over the
live events stream, and show it gone when the host opens the room again."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from companion.db import get_database_of
from companion.programme.models import Talk, Track
from tests.browser.conftest import PHONE, sign_in_page
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser
CONF = "qcon-london-2020"
#: On at the demo's 10:40, in Fleming, in a track with a host to make.
TITLE = "Monolith Decomposition Patterns"


def _talk(app: Flask) -> tuple[Talk, str]:
    with get_database_of(app).sessionmaker() as db:
        talk = db.execute(
            select(Talk).where(Talk.title == TITLE).options(joinedload(Talk.room))
        ).scalar_one()
        track = db.get(Track, talk.track_id)
        assert track is not None
        db.expunge_all()
        return talk, track.slug


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_host_marks_a_room_full_and_open_pages_show_it(
    browser: Any, stream_demo: tuple[Flask, str], scheme: str
) -> None:
    app, base_url = stream_demo
    talk, track = _talk(app)
    email = f"rhea-{scheme}@example.org"
    runner = app.test_cli_runner()
    for args in (
        ["create-user", email, "--name", "Rhea", "--password", "correct horse"],
        ["grant", email, "--conference", CONF, "--track", track],
    ):
        assert runner.invoke(args=args).exit_code == 0

    attendee = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, color_scheme=scheme, bypass_csp=True
    )
    room_page, session_page = attendee.new_page(), attendee.new_page()
    room_page.goto(f"{base_url}/{CONF}/rooms/{talk.room.slug}/")
    session_page.goto(f"{base_url}/{CONF}/sessions/{talk.guid}/")
    for page in (room_page, session_page):
        page.wait_for_function("document.documentElement.dataset.liveState === 'open'")
        assert page.locator("[data-room-full]").is_hidden()
        assert page.locator("[data-room-switch]").is_hidden()  # not a host

    host = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme=scheme)
    phone = host.new_page()
    sign_in_page(phone, base_url, email)
    phone.goto(f"{base_url}/{CONF}/rooms/{talk.room.slug}/")
    switch = phone.get_by_role("button", name=f"Mark {talk.room.name} full")
    switch.click()
    tapped = time.monotonic()
    phone.get_by_role("button", name=f"{talk.room.name} has seats again").wait_for()

    for page in (room_page, session_page):
        sign = page.locator("[data-room-full]")
        sign.wait_for(state="visible", timeout=5_000)
        assert f"{talk.room.name} is full." in sign.inner_text()
        assert "Until about 11:10, when the session ends." in sign.inner_text()
    seen = time.monotonic() - tapped
    assert seen < 5, seen
    room_page.screenshot(path=str(SHOTS / f"room-full-{scheme}.png"))
    session_page.bring_to_front()
    session_page.locator("[data-room-full]").scroll_into_view_if_needed()
    session_page.screenshot(path=str(SHOTS / f"session-room-full-{scheme}.png"))

    phone.get_by_role("button", name=f"{talk.room.name} has seats again").click()
    for page in (room_page, session_page):
        page.locator("[data-room-full]").wait_for(state="hidden", timeout=5_000)
    host.close()
    attendee.close()
