"""A track host on a phone moves a session to another room; the session page, the public
changelog and the My schedule of an attendee who starred it all show the move."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Room, Talk, TalkStatus, Track
from tests.browser.conftest import PHONE, sign_in_page
from tests.browser.test_pages import SHOTS

pytestmark = pytest.mark.browser

CONF = "qcon-london-2020"


def _a_session_and_a_free_room(app: Flask) -> tuple[str, str, str, str, Room]:
    """The last tracked session that has a room free all through it (no other browser test
    uses the last day): (guid, title, track slug, old room, new room)."""
    with get_database_of(app).sessionmaker() as db:
        talks = db.execute(
            select(Talk, Track.slug, Room.name)
            .join(Track, Talk.track_id == Track.id)
            .join(Room, Talk.room_id == Room.id)
            .where(Talk.status == TalkStatus.SCHEDULED.value)
            .order_by(Talk.start.desc())
        ).all()
        rooms = db.execute(select(Room).order_by(Room.position)).scalars().all()
        for talk, track_slug, room_name in talks:
            busy = set(
                db.execute(
                    select(Talk.room_id).where(
                        Talk.start < talk.end,
                        Talk.end > talk.start,
                        Talk.status == TalkStatus.SCHEDULED.value,
                    )
                ).scalars()
            )
            free = [r for r in rooms if r.id not in busy]
            if free:
                return talk.guid, talk.title, track_slug, room_name, free[0]
    raise AssertionError("the demo has no session with a free room beside it")


def test_a_host_moves_a_session_and_everyone_sees_it(
    live_app: Flask, base_url: str, phone: Any, browser: Any
) -> None:
    guid, title, track, old_room, room = _a_session_and_a_free_room(live_app)
    new_room = room.name
    runner = live_app.test_cli_runner()
    made = runner.invoke(
        args=["create-user", "hana@example.org", "--name", "Hana", "--password", "correct horse"]
    )
    assert made.exit_code == 0, made.output
    granted = runner.invoke(
        args=["grant", "hana@example.org", "--conference", CONF, "--track", track]
    )
    assert granted.exit_code == 0, granted.output

    # An attendee stars the session (as a guest, on their own phone).
    attendee = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    theirs = attendee.new_page()
    theirs.goto(f"{base_url}/{CONF}/sessions/{guid}/")
    theirs.wait_for_selector("html[data-stars-ready]", state="attached")
    with theirs.expect_response(lambda r: r.url.endswith(f"/stars/{guid}")) as answer:
        theirs.locator(".title-row .star").click()
    assert answer.value.status == 201

    # The host signs in on their phone, finds the session and moves it.
    sign_in_page(phone, base_url, "hana@example.org")
    phone.goto(f"{base_url}/{CONF}/host/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "host-tracks.png"))
    phone.get_by_label(f"Move or shift “{title}”").click()
    phone.select_option("#f-room", value=str(room.id))
    phone.screenshot(path=str(SHOTS / "host-move.png"), full_page=True)
    phone.get_by_role("button", name="Save", exact=True).click()
    assert phone.url.endswith(f"/{CONF}/host/")
    assert f"Moved “{title}”." in phone.locator(".alert-success").inner_text()
    assert phone.console_errors == []

    # Everyone sees it: the session page, the changelog, the attendee's My schedule.
    _shows(theirs, f"{base_url}/{CONF}/sessions/{guid}/", new_room)
    _shows(theirs, f"{base_url}/{CONF}/changes/", f"Moved from {old_room} to {new_room}")
    theirs.goto(f"{base_url}/{CONF}/my/")
    theirs.screenshot(path=str(SHOTS / "my-schedule-moved.png"), full_page=True)
    notice = theirs.locator("section[aria-labelledby=changed-h]").inner_text()
    assert title in notice and f"moved to {new_room}" in notice
    attendee.close()


def _shows(page: Any, url: str, text: str) -> None:
    """Open `url` and find `text` there. The service worker may answer from its copy first
    (stale-while-revalidate); then the page offers the new version, as it would to anyone."""
    page.goto(url)
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    if text not in page.locator("main").inner_text():
        with page.expect_navigation():
            page.get_by_role("button", name="Show the new version").click()
    assert text in page.locator("main").inner_text()


ORGANISER_PAGES = (
    ("admin", "/admin/"),
    ("admin-conference", "/admin/conference"),
    ("admin-tracks", "/admin/tracks/"),
    ("admin-track", "/admin/tracks/{track}"),
    ("admin-rooms", "/admin/rooms/"),
    ("admin-roles", "/admin/roles/"),
    ("admin-audit", "/admin/audit/"),
    ("host-all-tracks", "/host/"),
    ("host-edit", "/host/sessions/{guid}/"),
    ("host-new", "/host/sessions/new"),
    ("host-introduction", "/host/tracks/{track}/"),
    ("votes-results", "/host/votes/"),
)


def test_the_organisers_pages_fit_a_phone(live_app: Flask, base_url: str, phone: Any) -> None:
    guid, _, track, _, _ = _a_session_and_a_free_room(live_app)
    runner = live_app.test_cli_runner()
    for args in (
        ["create-user", "olu@example.org", "--name", "Olu", "--password", "correct horse"],
        ["grant", "olu@example.org", "--conference", CONF, "--organiser"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    sign_in_page(phone, base_url, "olu@example.org")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in ORGANISER_PAGES:
        response = phone.goto(f"{base_url}/{CONF}{path.format(guid=guid, track=track)}")
        assert response is not None and response.status == 200, path
        assert phone.locator("h1").count() == 1, path
        # Nothing pushes the page sideways: a phone shows it without horizontal scrolling.
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        phone.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        if name == "admin-track":  # the colour is a swatch to tap, not a thin line
            swatch = phone.locator("input[type=color]").bounding_box()
            assert swatch["height"] >= 44 and 60 <= swatch["width"] <= 120, swatch
    assert phone.console_errors == []


def test_enter_in_the_minutes_field_saves_what_was_typed(
    live_app: Flask, base_url: str, phone: Any
) -> None:
    guid, title, _, _, _ = _a_session_and_a_free_room(live_app)
    runner = live_app.test_cli_runner()
    for args in (
        ["create-user", "ena@example.org", "--name", "Ena", "--password", "correct horse"],
        ["grant", "ena@example.org", "--conference", CONF, "--organiser"],
    ):
        assert runner.invoke(args=args).exit_code == 0
    sign_in_page(phone, base_url, "ena@example.org")
    phone.goto(f"{base_url}/{CONF}/host/sessions/{guid}/move")
    before = phone.locator(".moving .muted").inner_text()
    phone.fill("#f-minutes", "7")
    phone.press("#f-minutes", "Enter")
    phone.wait_for_url(f"{base_url}/{CONF}/host/")
    assert f"Moved “{title}”." in phone.locator(".alert-success").inner_text()
    phone.goto(f"{base_url}/{CONF}/host/sessions/{guid}/move")
    after = phone.locator(".moving .muted").inner_text()
    start = lambda text: text.split(" ")[2].split("–")[0]  # noqa: E731 - "Wed 4 16:00–16:50 · …"
    old_h, old_m = map(int, start(before).split(":"))
    new_h, new_m = map(int, start(after).split(":"))
    assert (new_h * 60 + new_m) - (old_h * 60 + old_m) == 7


def _serious(page: Any) -> list[tuple[str, str, list[Any]]]:
    """axe's serious and critical findings on the page as it is now."""
    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "phone", [{"color_scheme": "light"}, {"color_scheme": "dark"}], indirect=True, ids=str
)
def test_the_host_pages_pass_an_accessibility_scan_in_both_schemes(
    live_app: Flask, base_url: str, phone: Any
) -> None:
    scheme = phone.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    name = "dark" if scheme else "light"
    guid, _, track, _, _ = _a_session_and_a_free_room(live_app)
    email = f"axe-{name}@example.org"
    runner = live_app.test_cli_runner()
    for args in (
        ["create-user", email, "--name", "Axe", "--password", "correct horse"],
        ["grant", email, "--conference", CONF, "--organiser"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    sign_in_page(phone, base_url, email)
    SHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    pages = (*ORGANISER_PAGES, ("host-move", "/host/sessions/{guid}/move"))
    for page_name, path in pages:
        phone.goto(f"{base_url}/{CONF}{path.format(guid=guid, track=track)}")
        found[page_name] = _serious(phone)
    # The questions before a cancellation and before the calendar feed is turned off.
    phone.get_by_role("button", name="Cancel this session…").click()
    phone.wait_for_selector("section.confirm")
    phone.screenshot(path=str(SHOTS / f"host-cancel-confirm-{name}.png"), full_page=True)
    found["host-cancel-confirm"] = _serious(phone)
    phone.goto(f"{base_url}/settings")
    phone.get_by_role("button", name="Get my calendar address").click()
    phone.get_by_role("button", name="Turn the feed off…").click()
    phone.wait_for_selector("section.confirm")
    phone.screenshot(path=str(SHOTS / f"feed-off-confirm-{name}.png"), full_page=True)
    found["feed-off-confirm"] = _serious(phone)
    assert {page: issues for page, issues in found.items() if issues} == {}
    # The two questions answer 422 (nothing was changed yet), which Chromium logs; nothing else.
    unasked = "the server responded with a status of 422"
    assert [e for e in phone.console_errors if unasked not in e] == []
