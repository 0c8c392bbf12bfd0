"""The searchable speaker picker in Chromium, with the keyboard only: a host finds speakers by
typing part of a name in the wrong case and without its accents, adds and removes them (a chip's
button, Backspace), saves with Enter, and the session has those speakers in that order."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from companion.db import get_database_of, get_session
from companion.programme.models import Speaker, Talk, TalkSpeaker, Track
from tests.browser.conftest import DEMO_NOW, PHONE, demo_server, sign_in_page
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser
CONF = "qcon-london-2020"
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """A demo of its own: this test changes a session's speakers."""
    folder: Path = tmp_path_factory.mktemp("picker")
    with demo_server(folder, FIXED_NOW=DEMO_NOW) as pair:
        yield pair


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _session_and_free_accented_speakers(app: Flask) -> tuple[Talk, list[str], list[Speaker]]:
    """A session with one speaker, and three speakers with accented names who speak nowhere
    else at its time (so saving asks no question about a speaker in two places)."""
    with get_database_of(app).sessionmaker() as db:
        for talk in db.execute(select(Talk).order_by(Talk.start.desc())).scalars():
            current = list(
                db.execute(
                    select(Speaker.name)
                    .join(TalkSpeaker, TalkSpeaker.speaker_id == Speaker.id)
                    .where(TalkSpeaker.talk_id == talk.id)
                    .order_by(TalkSpeaker.position)
                ).scalars()
            )
            if len(current) != 1:
                continue
            busy = set(
                db.execute(
                    select(TalkSpeaker.speaker_id)
                    .join(Talk, Talk.id == TalkSpeaker.talk_id)
                    .where(Talk.start < talk.end, Talk.end > talk.start)
                ).scalars()
            )
            free = [
                s
                for s in db.execute(select(Speaker).order_by(Speaker.name)).scalars()
                if s.id not in busy and _plain(s.name) != s.name
            ]
            if len(free) >= 3:
                db.expunge_all()
                return talk, current, free[:3]
    raise AssertionError("no session with one speaker and three free accented speakers")


def _speakers_of(app: Flask, talk: Talk) -> list[str]:
    with get_database_of(app).sessionmaker() as db:
        return list(
            db.execute(
                select(Speaker.name)
                .join(TalkSpeaker, TalkSpeaker.speaker_id == Speaker.id)
                .where(TalkSpeaker.talk_id == talk.id)
                .order_by(TalkSpeaker.position)
            ).scalars()
        )


def _chips(page: Any) -> list[str]:
    return page.locator(".picker-chip span:not([aria-hidden])").all_inner_texts()


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.className"))


def _find_and_add(page: Any, query: str, name: str) -> None:
    page.keyboard.type(query)
    active = page.locator("#f-speakers-options [aria-selected=true]")
    assert active.inner_text().startswith(name), (query, active.inner_text())
    combobox = page.locator("#f-speakers-search")
    assert combobox.get_attribute("aria-expanded") == "true"
    assert combobox.get_attribute("aria-activedescendant") == active.get_attribute("id")
    page.keyboard.press("Enter")
    assert combobox.input_value() == ""


def _sign_in_as_organiser(app: Flask, base_url: str, page: Any, email: str) -> None:
    runner = app.test_cli_runner()
    for args in (
        ["create-user", email, "--name", "Pat", "--password", "correct horse"],
        ["grant", email, "--conference", CONF, "--organiser"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    sign_in_page(page, base_url, email)
    page.wait_for_load_state()


def test_a_host_picks_speakers_by_keyboard_and_their_order_is_saved(browser: Any, served) -> None:
    app, base_url = served
    talk, before, (first, second, third) = _session_and_free_accented_speakers(app)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _sign_in_as_organiser(app, base_url, page, "pat@example.org")
        page.goto(f"{base_url}/{CONF}/host/sessions/{talk.guid}/")
        assert page.locator("#f-speakers").is_hidden()  # the select is still there, for the form
        assert _chips(page) == before
        # From the field before, Tab passes the one chip and lands in the search box.
        page.locator("#f-track_id").focus()
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert _focused(page) == "f-speakers-search"

        last_word = _plain(first.name).split()[-1]
        _find_and_add(page, last_word.upper(), first.name)  # "ZIELINSKI" finds "Zieliński"
        _find_and_add(page, _plain(second.name).lower()[:6], second.name)
        assert _chips(page) == [*before, first.name, second.name]
        page.keyboard.press("Backspace")  # the empty box: the last one goes
        assert _chips(page) == [*before, first.name]
        _find_and_add(page, _plain(third.name).lower(), third.name)
        # Back to the first one added, with Shift+Tab, and remove it with its chip's button.
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        focused_chip = page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert focused_chip == f"Remove {first.name}"
        page.keyboard.press("Enter")
        assert _focused(page) == "f-speakers-search"
        assert _chips(page) == [*before, third.name]
        _find_and_add(page, _plain(second.name).upper(), second.name)
        wanted = [*before, third.name, second.name]
        assert _chips(page) == wanted
        page.keyboard.type("ana")  # the list open, for the screenshots
        _shots(page, "picker-edit-session")
        for _ in range(3):
            page.keyboard.press("Backspace")
        # A name nobody has: said, nothing offered.
        page.keyboard.type("zzzz")
        assert page.locator(".picker-none").inner_text() == "No speaker matches “zzzz”."
        for _ in range(4):
            page.keyboard.press("Backspace")
        assert _chips(page) == wanted  # Backspace only emptied the box

        with page.expect_navigation():
            page.keyboard.press("Enter")  # the list is closed: Enter saves the form
        assert page.locator(".alert-danger").count() == 0, page.locator("main").inner_text()
        assert _speakers_of(app, talk) == wanted
        # The form shows them again in that order, chips and select alike.
        page.goto(f"{base_url}/{CONF}/host/sessions/{talk.guid}/")
        assert _chips(page) == wanted
        selected = page.eval_on_selector_all(
            "#f-speakers option:checked", "all => all.map(o => o.text)"
        )
        assert [s.split(" (")[0] for s in selected] == wanted
        # The organiser's track form has the same picker, for the hosts shown.
        with get_database_of(app).sessionmaker() as db:
            track = db.execute(select(Track.slug).order_by(Track.position)).scalars().first()
        page.goto(f"{base_url}/{CONF}/admin/tracks/{track}")
        page.locator("#f-hosts-search").focus()
        page.keyboard.type("ana")
        assert page.locator("#f-hosts-options [role=option]").count() > 0
        _shots(page, "picker-admin-track")
        assert errors == []
    finally:
        context.close()


def _set_speakers(app: Flask, talk: Talk, speakers: list[Speaker]) -> None:
    """Bill `speakers` in this order (as an import would), straight in the database."""
    with app.app_context():
        db = get_session()
        db.execute(delete(TalkSpeaker).where(TalkSpeaker.talk_id == talk.id))
        for position, speaker in enumerate(speakers):
            db.add(TalkSpeaker(talk_id=talk.id, speaker_id=speaker.id, position=position))
        db.commit()


def test_without_javascript_saving_keeps_the_speakers_order(browser: Any, served) -> None:
    app, base_url = served
    talk, _, (first, _, third) = _session_and_free_accented_speakers(app)
    _set_speakers(app, talk, [third, first])  # not in alphabetical order
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        _sign_in_as_organiser(app, base_url, page, "sam@example.org")
        page.goto(f"{base_url}/{CONF}/host/sessions/{talk.guid}/")
        assert page.locator("#f-speakers").is_visible()
        # Chosen ones first, in their order: a browser sends selected options in page order.
        shown = page.eval_on_selector_all(
            "#f-speakers option:checked", "all => all.map(o => o.dataset.name)"
        )
        assert shown == [third.name, first.name]
        page.click("form.form button[type=submit]")  # saved unchanged
        page.wait_for_load_state()
        assert _speakers_of(app, talk) == [third.name, first.name]
    finally:
        context.close()


def _shots(page: Any, name: str) -> None:
    """The page as it is, then at desktop width, in both schemes."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.locator(".picker").scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"{name}-{size_name}-{scheme}.png"))
    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="light")
