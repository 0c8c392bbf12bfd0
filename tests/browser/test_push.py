"""A push message reaches the service worker and becomes a notification (Chromium, DevTools)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


def test_a_pushed_message_is_shown_with_its_title_and_tag(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.grant_permissions(["notifications"], origin=base_url)
    page = context.new_page()
    page.goto(f"{base_url}/qcon-london-2020/my/")
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=60_000)
    assert page.locator("[data-push-toggle]").is_visible()

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
    message = {
        "title": "Changed: Tesla Virtual Power Plant",
        "body": "Moved to Fleming",
        "url": "/qcon-london-2020/",
        "tag": "session-42",
        "kind": "change",
    }
    for _ in range(2):  # the same session twice: one notification, replaced
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": base_url,
                "registrationId": registration["registrationId"],
                "data": json.dumps(message),
            },
        )
    shown: list[dict[str, str]] = []
    deadline = time.monotonic() + 10
    while not shown and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        shown = page.evaluate(
            "navigator.serviceWorker.ready.then(r => r.getNotifications())"
            ".then(all => all.map(n => ({title: n.title, body: n.body, tag: n.tag})))"
        )
    assert shown == [
        {
            "title": "Changed: Tesla Virtual Power Plant",
            "body": "Moved to Fleming",
            "tag": "session-42",
        }
    ]
    context.close()
