"""Hosts see "Edit" on their track's sessions and their tools in the menu; nobody else does
(issue 17). The pages are the same cached bytes for everyone: the links appear from
/api/v1/me."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Talk, Track
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser
CONF = "qcon-london-2020"


def _two_sessions(app: Flask) -> tuple[str, str, str]:
    """A track's slug, a session in it and a session in another track."""
    with get_database_of(app).sessionmaker() as db:
        rows = db.execute(
            select(Track.slug, Talk.guid).join(Talk, Talk.track_id == Track.id).order_by(Talk.start)
        ).all()
    track, mine = rows[0]
    other = next(guid for slug, guid in rows if slug != track)
    return track, mine, other


def test_a_host_sees_edit_on_their_sessions_and_the_host_tab(
    live_app: Flask, base_url: str, phone: Any, browser: Any
) -> None:
    track, mine, other = _two_sessions(live_app)
    runner = live_app.test_cli_runner()
    email = "tess@example.org"
    made = runner.invoke(
        args=["create-user", email, "--name", "Tess", "--password", "correct horse"]
    )
    assert made.exit_code == 0, made.output
    granted = runner.invoke(args=["grant", email, "--conference", CONF, "--track", track])
    assert granted.exit_code == 0, granted.output

    # Someone who is not signed in sees neither.
    phone.goto(f"{base_url}/{CONF}/sessions/{mine}/")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-edit]").is_hidden()
    assert phone.locator("[data-tools=host]").is_hidden()

    phone.goto(f"{base_url}/login")
    phone.fill("#f-email", email)
    phone.fill("#f-password", "correct horse")
    phone.locator("form button[type=submit]").first.click()
    phone.wait_for_load_state("networkidle")
    phone.goto(f"{base_url}/{CONF}/sessions/{mine}/")
    edit = phone.locator("[data-edit]")
    edit.wait_for(state="visible")
    assert phone.locator("[data-tools=host]").is_visible()
    assert phone.locator("[data-tools=organiser]").is_hidden()
    assert edit.bounding_box()["height"] >= 44
    phone.screenshot(path=str(SHOTS / "tools-session-390-light.png"))
    phone.locator(".tabbar").screenshot(path=str(SHOTS / "tools-tabbar-390-light.png"))
    edit.click()
    phone.wait_for_url(f"{base_url}/{CONF}/host/sessions/{mine}/")
    phone.goto(f"{base_url}/{CONF}/sessions/{other}/")
    phone.wait_for_load_state("networkidle")
    assert phone.locator("[data-edit]").is_hidden()
    assert phone.locator("[data-tools=host]").is_visible()
    assert phone.console_errors == []
