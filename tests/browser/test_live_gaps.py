"""Live changes a page must not miss (from the review of issue 16): a change while the stream
falls back to polling, one during a reconnect after a reset, a session moved to another day on
My schedule, a change just after the leader tab closed."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from companion.db import get_database_of
from companion.programme.models import Talk, TalkStatus
from tests.browser.conftest import PHONE
from tests.browser.test_live import CONF

pytestmark = pytest.mark.browser


def _talks(app: Flask, n: int) -> list[tuple[str, str]]:
    with get_database_of(app).sessionmaker() as db:
        talks = (
            db.execute(
                select(Talk)
                .where(Talk.kind == "talk", Talk.status == TalkStatus.SCHEDULED.value)
                .order_by(Talk.start)
            )
            .scalars()
            .all()
        )
        return [(t.guid, t.start.date().isoformat()) for t in talks[:n]]


def _cancel(app: Flask, guid: str) -> None:
    with get_database_of(app).sessionmaker() as db:
        talk = db.execute(select(Talk).where(Talk.guid == guid)).scalar_one()
        talk.status = TalkStatus.CANCELLED.value
        db.commit()


def _told(page: Any, guid: str) -> bool:
    return bool(
        page.locator(f"article[data-guid='{guid}'] [data-live-mark]").count()
        or page.locator("[data-banner=update]:visible").count()
    )


def test_a_change_while_the_stream_falls_back_to_polling_is_shown(
    stream_demo: tuple[Flask, str],
    browser: Any,
) -> None:
    app, base_url = stream_demo
    ((guid, _day),) = _talks(app, 1)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    # A proxy that breaks EventSource: the page falls back to the poll after three failures.
    context.route(
        "**/events*",
        lambda route: (
            route.abort() if route.request.resource_type == "eventsource" else route.continue_()
        ),
    )
    page = context.new_page()
    page.goto(f"{base_url}/{CONF}/sessions/{guid}/")
    page.wait_for_selector("html[data-live-state=connecting]", state="attached")
    _cancel(app, guid)  # committed after the page was rendered, before any stream or poll
    page.wait_for_selector("html[data-live-state=polling]", state="attached", timeout=15_000)
    page.wait_for_timeout(3_000)
    told = _told(page, guid)
    context.close()
    assert told, "the cancellation is neither patched nor announced by a banner"


def test_the_follower_tab_hears_a_change_made_just_after_the_leader_closed(
    stream_demo: tuple[Flask, str],
    browser: Any,
) -> None:
    app, base_url = stream_demo
    _first, (guid, day) = _talks(app, 2)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    leader = context.new_page()
    leader.goto(f"{base_url}/{CONF}/programme/{day}/")
    leader.wait_for_selector("html[data-live-state=open]", state="attached", timeout=10_000)
    follower = context.new_page()
    follower.goto(f"{base_url}/{CONF}/programme/{day}/")
    follower.wait_for_selector("html[data-live-state=open]", state="attached", timeout=10_000)
    leader.close()
    _cancel(app, guid)
    follower.wait_for_selector(
        f"article[data-guid='{guid}'] [data-live-mark]", state="attached", timeout=15_000
    )
    assert (
        follower.locator(f"article[data-guid='{guid}'] [data-live-mark]").first.inner_text()
        == "Cancelled"
    )
    # The closed leader's socket may take a moment to be seen gone by the node (a loaded machine).
    deadline = time.monotonic() + 5
    while app.extensions["test.stream"].status()["connections"] != 1:
        assert time.monotonic() < deadline, app.extensions["test.stream"].status()
        time.sleep(0.1)
    context.close()


def test_a_change_during_a_reconnect_after_a_reset_is_shown(
    stream_demo: tuple[Flask, str],
    browser: Any,
) -> None:
    app, base_url = stream_demo
    guid, _day = _talks(app, 3)[2]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    first = []

    def garble(route: Any) -> None:  # the first stream resumes from an id the node resets
        if route.request.resource_type == "eventsource" and not first:
            first.append(route.request.url)
            route.continue_(url=route.request.url.split("?")[0] + "?last_event_id=garbage")
        else:
            route.continue_()

    context.route("**/events*", garble)
    page = context.new_page()
    page.goto(f"{base_url}/{CONF}/sessions/{guid}/")
    page.wait_for_selector("html[data-live-state=open]", state="attached", timeout=10_000)
    page.wait_for_timeout(500)
    node = app.extensions["test.stream"]
    node.stop()  # a deploy: the stream drops
    _cancel(app, guid)
    node.start()
    page.wait_for_function("document.documentElement.dataset.liveState === 'open'", timeout=30_000)
    page.wait_for_timeout(3_000)
    told = _told(page, guid)
    context.close()
    assert told, "the cancellation made while reconnecting is neither patched nor announced"


def test_my_schedule_does_not_keep_a_session_moved_to_another_day_under_the_old_day(
    stream_demo: tuple[Flask, str],
    browser: Any,
) -> None:
    from datetime import timedelta

    app, base_url = stream_demo
    guid, _day = _talks(app, 4)[3]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base_url}/{CONF}/sessions/{guid}/")
    page.wait_for_selector("html[data-stars-ready]", state="attached")
    with page.expect_response(lambda r: r.url.endswith(f"/stars/{guid}")):
        page.locator(".title-row .star").click()
    page.goto(f"{base_url}/{CONF}/my/")
    page.wait_for_selector("html[data-live-state=open]", state="attached", timeout=10_000)
    with get_database_of(app).sessionmaker() as db:
        talk = db.execute(select(Talk).where(Talk.guid == guid)).scalar_one()
        talk.start, talk.end = talk.start + timedelta(days=1), talk.end + timedelta(days=1)
        db.commit()
    # Not patched under Monday: the page says the programme changed (and the worker syncs).
    page.wait_for_selector("[data-banner=update]", state="visible", timeout=5_000)
    card = page.locator(f".entry article[data-guid='{guid}']")
    assert card.locator("[data-live-mark]").count() == 0
    context.close()
