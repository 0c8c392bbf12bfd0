"""The Alerts page in Chromium: a change alert the worker sends through the local push service
reaches the service worker, is listed on the page, and the page still shows it (and an alert
that came after the last visit) offline."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of, get_session
from companion.notify.worker import Worker
from companion.programme.models import Room, Talk
from tests.browser.conftest import DEMO_NOW, PHONE, demo_server
from tests.browser.test_axe import _violations, axe_source  # noqa: F401 - a fixture
from tests.browser.test_pages import SHOTS
from tests.notify.emulator import PushService, trust

pytestmark = pytest.mark.browser
CONF = "/qcon-london-2020"
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """A demo of its own (its sessions are moved here), alerts due as soon as an edit commits."""
    folder: Path = tmp_path_factory.mktemp("alerts")
    with demo_server(folder, FIXED_NOW=DEMO_NOW, PUSH_DEBOUNCE_SECONDS=0) as pair:
        yield pair


def _afternoon_talk_and_rooms(app: Flask) -> tuple[Talk, list[Room]]:
    with get_database_of(app).sessionmaker() as db:
        # Hours after the demo's clock: no reminder of it is due while the test runs.
        talk = (
            db.execute(
                select(Talk)
                .where(
                    Talk.start > datetime.fromisoformat(DEMO_NOW) + timedelta(hours=3),
                    Talk.room_id.is_not(None),
                    Talk.kind == "talk",
                )
                .order_by(Talk.start)
            )
            .scalars()
            .first()
        )
        assert talk is not None
        rooms = list(
            db.execute(
                select(Room).where(
                    Room.conference_id == talk.conference_id, Room.id != talk.room_id
                )
            ).scalars()
        )
        db.expunge_all()
        return talk, rooms


def _move(app: Flask, talk: Talk, room: Room) -> None:
    """Move a session as an editor would: in the app (its clock), one committed transaction."""
    with app.app_context():
        db = get_session()
        fresh = db.get(Talk, talk.id)
        assert fresh is not None
        fresh.room_id = room.id
        db.commit()


def _deliver(context: Any, page: Any, base_url: str, payload: dict[str, Any]) -> None:
    """Hand the service worker a push message, as the browser's push service would."""
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    [registration] = [r for r in registrations if r["scopeURL"] == f"{base_url}/"]
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": base_url,
            "registrationId": registration["registrationId"],
            "data": json.dumps(payload),
        },
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        titles = page.evaluate(
            "navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(all => all.map(n => n.title))"
        )
        if payload["title"] in titles:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{payload['title']} was not shown")


def _cards(page: Any) -> list[str]:
    return page.locator("[data-alerts] [data-alert-title]").all_inner_texts()


def test_a_sent_alert_is_listed_and_readable_offline(
    browser: Any,
    served,
    axe_source: str,  # noqa: F811 - the fixture imported above
) -> None:
    app, base_url = served
    service = PushService(app.config["VAPID_PUBLIC_KEY"])
    trust(app, service)
    worker = Worker(app, concurrency=2, batch=50, timeout=2.0)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        context.grant_permissions(["notifications"], origin=base_url)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        talk, rooms = _afternoon_talk_and_rooms(app)
        page.goto(f"{base_url}{CONF}/my/")
        page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=60_000)
        # This device's guest stars the session and its (emulated) push subscription is saved.
        starred = page.evaluate(
            f"fetch('/api/v1/me/stars/{talk.guid}', {{method: 'PUT'}}).then(r => r.status)"
        )
        assert starred in (200, 201)
        subscription = json.dumps(service.subscribe())
        saved = page.evaluate(
            "body => fetch('/api/v1/me/push-subscriptions', {method: 'POST', body,"
            " headers: {'Content-Type': 'application/json'}}).then(r => r.status)",
            subscription,
        )
        assert saved == 201

        _move(app, talk, rooms[0])
        assert worker.run_once() == 1
        [first] = service.payloads()
        assert first["title"] == f"Changed: {talk.title}"
        _deliver(context, page, base_url, first)

        page.goto(f"{base_url}{CONF}/my/alerts/")
        assert _cards(page) == [first["title"]]
        assert page.get_by_text(first["body"]).is_visible()

        # A second change after this visit: sent, shown on the device, not yet on the saved page.
        _move(app, talk, rooms[1])
        assert worker.run_once() == 1
        second = service.payloads()[1]
        assert second["body"] != first["body"]
        _deliver(context, page, base_url, second)

        context.set_offline(True)
        page.goto(f"{base_url}{CONF}/my/alerts/")
        page.wait_for_selector("[data-from-device]")
        assert _cards(page) == [second["title"], first["title"]]  # newest first
        assert page.get_by_text(second["body"]).is_visible()
        assert _violations(page, axe_source) == []  # the list, with a card made by alerts.js
        assert page.locator("[data-from-device]").count() == 1
        assert "shown on this device" in page.locator("[data-from-device]").inner_text()
        context.set_offline(False)
        assert errors == []

        _screenshots(browser, base_url, context.storage_state())
    finally:
        context.close()
        worker.pool.shutdown(wait=True)
        service.close()


def _screenshots(browser: Any, base_url: str, state: dict[str, Any]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        for scheme in ("light", "dark"):
            for who, storage in (("list", state), ("empty", None)):
                context = browser.new_context(
                    viewport=size, color_scheme=scheme, storage_state=storage
                )
                page = context.new_page()
                page.goto(f"{base_url}{CONF}/my/alerts/")
                page.wait_for_load_state("networkidle")
                page.screenshot(
                    path=str(SHOTS / f"alerts-{who}-{size_name}-{scheme}.png"), full_page=True
                )
                context.close()
