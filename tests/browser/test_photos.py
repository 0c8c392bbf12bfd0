"""Speakers' photos in Chromium (issue 18): an organiser uploads one from the phone; the
speaker page and the session page show it (light and dark), and a phone that synced the
programme shows it offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Speaker
from tests.browser.conftest import PHONE, demo_server, sign_in_page
from tests.browser.test_pages import SHOTS
from tests.photos.images import photo_like

pytestmark = pytest.mark.browser
CONF = "qcon-london-2020"


@pytest.fixture(scope="module")
def photo_demo(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A demo of its own (the upload must reach no other test)."""
    with demo_server(
        tmp_path_factory.mktemp("photos"), FIXED_NOW="2020-03-02T10:40:00+00:00"
    ) as served:
        yield served


def _speaker(app: Flask, name: str) -> Speaker:
    with get_database_of(app).sessionmaker() as db:
        speaker = db.execute(select(Speaker).where(Speaker.name == name)).scalar_one()
        db.expunge_all()
        return speaker


def test_an_organiser_uploads_a_photo_and_it_shows_online_and_offline(
    browser: Any, photo_demo: tuple[Flask, str], tmp_path: Path
) -> None:
    app, base_url = photo_demo
    speaker = _speaker(app, "Sam Newman")
    runner = app.test_cli_runner()
    for args in (
        ["create-user", "pat@example.org", "--name", "Pat", "--password", "correct horse"],
        ["grant", "pat@example.org", "--conference", CONF, "--organiser"],
    ):
        assert runner.invoke(args=args).exit_code == 0
    picture = tmp_path / "sam.jpg"
    picture.write_bytes(photo_like(1600))

    organiser = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = organiser.new_page()
    sign_in_page(phone, base_url, "pat@example.org")
    phone.goto(f"{base_url}/{CONF}/speakers/{speaker.slug}/")
    phone.get_by_role("link", name="Add a photo").click()
    phone.set_input_files("#f-photo", str(picture))
    phone.get_by_role("button", name="Upload").click()
    assert "The photo of Sam Newman is in." in phone.locator(".alert-success").inner_text()
    organiser.close()

    for scheme in ("light", "dark"):
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, color_scheme=scheme, bypass_csp=True
        )
        page = context.new_page()
        page.goto(f"{base_url}/{CONF}/speakers/{speaker.slug}/")
        page.wait_for_function("document.documentElement.dataset.offlineReady", timeout=60_000)
        portrait = page.locator(".person-header picture img")
        page.wait_for_function("document.querySelector('.person-header picture img').complete")
        assert portrait.evaluate("img => img.naturalWidth") > 0
        assert portrait.evaluate("img => img.currentSrc").endswith("-large.webp")
        page.screenshot(path=str(SHOTS / f"speaker-photo-{scheme}.png"))
        talk = page.locator("[data-timeline] a, .talk-title a").first
        talk.click()
        page.wait_for_selector(".people picture img")
        page.locator(".people").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"session-photo-{scheme}.png"))
        if scheme == "light":
            context.set_offline(True)
            page.goto(f"{base_url}/{CONF}/speakers/{speaker.slug}/")
            page.wait_for_function("document.querySelector('.person-header picture img').complete")
            assert portrait.evaluate("img => img.naturalWidth") > 0  # from the offline copy
            context.set_offline(False)
        context.close()
