"""axe-core (tests/js, from npm) on every kind of page, in the light and the dark colour scheme, at
phone size: no serious or critical violation anywhere.

One browser context per scheme walks the pages in the order a person meets them (anonymous, a
guest with stars, then an organiser, who also hosts every track), on the shared live server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Floor, Room, Speaker, Talk, Track
from tests.browser.conftest import PHONE, sign_in_page
from tests.conftest import IN_CI

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
CONF = "/qcon-london-2020"
#: Impacts that fail the sweep (axe's "minor" and "moderate" are reported by the tool only).
FAILING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's browser build, installed by `npm ci --prefix tests/js` (`make test`)."""
    if not AXE.exists():
        reason = (
            f"AXE SWEEP SKIPPED: {AXE} is missing; `make test` installs axe-core with npm "
            "(npm ci --prefix tests/js)."
        )
        if IN_CI:
            pytest.fail(reason + " In CI this is an error.", pytrace=False)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


def _names(app: Flask) -> dict[str, str]:
    """Real values for the URLs: a session with a room on a floor with a map, its track…"""
    with get_database_of(app).sessionmaker() as db:
        talk = (
            db.execute(
                select(Talk)
                .join(Room, Room.id == Talk.room_id)
                .where(Talk.track_id.is_not(None), Room.floor_id.is_not(None))
                .order_by(Talk.start)
            )
            .scalars()
            .first()
        )
        assert talk is not None
        room = db.get(Room, talk.room_id)
        track = db.get(Track, talk.track_id)
        floor = db.get(Floor, room.floor_id) if room and room.floor_id else None
        speaker = db.execute(select(Speaker).order_by(Speaker.name)).scalars().first()
        assert room and track and floor and speaker
        return {
            "guid": talk.guid,
            "day": talk.start.date().isoformat(),
            "room": room.slug,
            "track": track.slug,
            "floor": floor.slug,
            "speaker": speaker.slug,
        }


def _violations(page: Any, axe: str) -> list[str]:
    """axe's serious and critical findings on the page as it is now, one line each."""
    page.evaluate(axe)  # evaluated by the DevTools protocol: our CSP forbids inline scripts
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            f"{' '.join(n['target'])}: {n.get('failureSummary', '').splitlines()[-1].strip()}"
            for n in v["nodes"][:4]
        )
        for v in result["violations"]
        if v["impact"] in FAILING
    ]


def _type_in(page: Any, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.type(text)
    assert page.locator(f"{selector} ~ [role=listbox]").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_kind_has_no_serious_axe_violation(
    live_app: Flask, base_url: str, browser: Any, axe_source: str, scheme: str
) -> None:
    n = _names(live_app)
    email = f"axe-sweep-{scheme}@example.org"
    runner = live_app.test_cli_runner()
    for args in (
        ["create-user", email, "--name", "Axe Sweep", "--password", "correct horse"],
        ["grant", email, "--conference", CONF.strip("/"), "--organiser"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, color_scheme=scheme
    )
    page = context.new_page()
    found: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}

    def check(name: str, path: str | None = None, *, then: Callable[[], None] | None = None):
        if path is not None:
            response = page.goto(base_url + path)
            statuses[name] = response.status if response else 0
        if then is not None:
            then()
        page.wait_for_load_state("networkidle")
        issues = _violations(page, axe_source)
        if issues:
            found[name] = issues

    try:
        # Anyone.
        check("home", f"{CONF}/")
        check("programme-day", f"{CONF}/programme/{n['day']}/")
        check("session", f"{CONF}/sessions/{n['guid']}/")
        check("speaker", f"{CONF}/speakers/{n['speaker']}/")
        check("speakers", f"{CONF}/speakers/")
        check("track", f"{CONF}/tracks/{n['track']}/")
        check("tracks", f"{CONF}/tracks/")
        check("rooms", f"{CONF}/rooms/")
        check("room-with-map", f"{CONF}/rooms/{n['room']}/")
        check("venue", f"{CONF}/venue/")
        check("search-results", f"{CONF}/search?q=microservices")
        check("changes", f"{CONF}/changes/")
        check("my-schedule-empty", f"{CONF}/my/")
        check("alerts-empty", f"{CONF}/my/alerts/")
        check("login", "/login")
        check("register", "/register")
        check("forgot-password", "/password-reset/")
        check("offline-fallback", "/offline/")
        check("error-404", f"{CONF}/sessions/no-such-session/")
        # A guest with stars, and a link to open the schedule on another device.
        starred = page.evaluate(
            f"fetch('/api/v1/me/stars/{n['guid']}', {{method: 'PUT'}}).then(r => r.status)"
        )
        assert starred in (200, 201)
        check("my-schedule-starred", f"{CONF}/my/")
        check(
            "device-link-made",
            then=lambda: page.get_by_role("button", name="Make a link for another device").click(),
        )
        link = page.locator("#device-link").input_value()
        check("device-link-opened", link.removeprefix(base_url))
        # An organiser (who may edit every track).
        sign_in_page(page, base_url, email)
        page.wait_for_load_state()
        check("settings", "/settings/")
        check("host-my-tracks", f"{CONF}/host/")
        check("host-edit-session", f"{CONF}/host/sessions/{n['guid']}/")
        check("host-speaker-picker-open", then=lambda: _type_in(page, "#f-speakers-search", "an"))
        check("host-new-session", f"{CONF}/host/sessions/new")
        check("host-edit-track", f"{CONF}/host/tracks/{n['track']}/")
        check("host-move", f"{CONF}/host/sessions/{n['guid']}/move")
        check("host-interest", f"{CONF}/host/interest/")
        check("admin-index", f"{CONF}/admin/")
        check("admin-conference", f"{CONF}/admin/conference")
        check("admin-tracks", f"{CONF}/admin/tracks/")
        check("admin-track", f"{CONF}/admin/tracks/{n['track']}")
        check("admin-rooms", f"{CONF}/admin/rooms/")
        check("admin-room", f"{CONF}/admin/rooms/{n['room']}")
        check("admin-floor", f"{CONF}/admin/floors/{n['floor']}")
        check("admin-venue", f"{CONF}/admin/venue/")
        check("admin-roles", f"{CONF}/admin/roles/")
        check("admin-users", f"{CONF}/admin/users/")
        check("admin-audit", f"{CONF}/admin/audit/")
        check("notify-health", f"{CONF}/admin/notifications/")
        check("import", f"{CONF}/admin/import/")
        exported = page.request.get(f"{base_url}{CONF}/schedule.xml").body()
        page.set_input_files(
            "#f-file", files=[{"name": "schedule.xml", "mimeType": "text/xml", "buffer": exported}]
        )
        check(
            "import-preview",
            then=lambda: page.get_by_role("button", name="Show what changes").click(),
        )
        assert page.locator("h1").inner_text() != "", "the preview did not open"
    finally:
        context.close()
    wrong = {name: status for name, status in statuses.items() if status != 200}
    assert wrong == {"error-404": 404}, wrong
    report = "\n".join(
        f"{page_name}: {issue}" for page_name, issues in found.items() for issue in issues
    )
    assert found == {}, f"serious or critical axe violations ({scheme}):\n{report}"
