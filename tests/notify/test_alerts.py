"""The Alerts page: what was sent to me (and only to me), newest first, kept after the device's
subscription is gone, and an empty state that says why it is empty."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.notify.models import Delivery
from companion.notify.worker import Worker
from companion.programme.models import Room, Talk
from tests.conftest import SAME_ORIGIN, sign_in
from tests.notify.emulator import PushService

URL = "/testconf/my/alerts/"


@pytest.fixture
def talks(app: Flask, make_conference, make_talk) -> dict[str, Talk]:
    app.config["FIXED_NOW"] = "2020-03-02T08:00:00+00:00"  # no reminder due yet
    conference = make_conference()
    return {
        "streams": make_talk(conference, "Streams", start="10:00", end="10:50", room="Fleming"),
        "apis": make_talk(conference, "APIs", start="11:00", end="11:50", room="Whittle"),
    }


def _titles(client: FlaskClient) -> list[str]:
    response = client.get(URL)
    assert response.status_code == 200
    return re.findall(r"data-alert-title>([^<]+)<", response.text)


def _move_apis(app: Flask, edit, dbs: Session, talks: dict[str, Talk]) -> None:
    fleming = dbs.execute(select(Room).where(Room.slug == "fleming")).scalar_one()
    edit(talks["apis"], room_id=fleming.id)


def test_alerts_lists_only_what_was_sent_to_me_newest_first(
    app: Flask, talks, device, worker: Worker, edit, dbs: Session
) -> None:
    me, _ = device(talks["streams"], talks["apis"])
    other, _ = device(talks["apis"])
    bystander, _ = device()  # notifications on, nothing starred
    _move_apis(app, edit, dbs, talks)
    app.config["FIXED_NOW"] = "2020-03-02T08:03:00+00:00"  # the change alert's window closed
    assert worker.run_once() == 2
    app.config["FIXED_NOW"] = "2020-03-02T09:52:00+00:00"  # Streams' reminder, for me only
    assert worker.run_once() == 1
    assert _titles(me) == ["Starts in 8 min: Streams", "Changed: APIs"]
    assert _titles(other) == ["Changed: APIs"]
    assert _titles(bystander) == []
    page = me.get(URL).text
    assert "Moved to Fleming" in page
    assert f'href="/testconf/sessions/{talks["apis"].guid}/"' in page
    assert '<time datetime="2020-03-02T08:03:00Z">08:03</time>' in page
    assert "Mon 2 Mar" in page


def test_alerts_lists_only_deliveries_the_push_service_accepted(
    talks, device, worker: Worker, push_service: PushService, dbs: Session
) -> None:
    phone, subscription = device(talks["streams"])
    push_service.answer(subscription["endpoint"], (500, {}))  # retried later: not sent yet
    worker.app.config["FIXED_NOW"] = "2020-03-02T09:52:00+00:00"
    worker.run_once()
    assert [d.status for d in dbs.execute(select(Delivery)).scalars()] == ["pending"]
    assert _titles(phone) == []
    assert "Nothing has been sent yet." in phone.get(URL).text


def test_alerts_stay_after_notifications_are_turned_off(
    talks, device, worker: Worker, dbs: Session
) -> None:
    phone, subscription = device(talks["streams"])
    worker.app.config["FIXED_NOW"] = "2020-03-02T09:52:00+00:00"
    worker.run_once()
    off = phone.delete(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": subscription["endpoint"]},
        headers=SAME_ORIGIN,
    )
    assert off.status_code == 200
    assert _titles(phone) == ["Starts in 8 min: Streams"]


def test_a_guests_alerts_follow_them_into_their_account(
    talks, device, worker: Worker, make_user
) -> None:
    make_user()
    phone, _ = device(talks["streams"])
    worker.app.config["FIXED_NOW"] = "2020-03-02T09:52:00+00:00"
    worker.run_once()
    assert sign_in(phone).status_code == 302
    assert _titles(phone) == ["Starts in 8 min: Streams"]


def test_alerts_empty_state_says_notifications_are_off(app: Flask, talks) -> None:
    page = app.test_client().get(URL)
    assert page.status_code == 200
    assert "No alerts yet." in page.text
    assert "Notifications are off on this device" in page.text
    assert 'href="/testconf/my/#push-h">Turn on notifications</a>' in page.text
    assert "no-store" in page.headers["Cache-Control"]


def test_alerts_empty_state_with_notifications_on_says_when_alerts_come(
    talks, device, dbs: Session
) -> None:
    phone, _ = device(talks["streams"])
    page = phone.get(URL).text
    assert "Reminders come 10 minutes before each starred session;" in page
    assert "Notifications are off" not in page


def test_alerts_of_an_unknown_conference_is_404(app: Flask, talks) -> None:
    assert app.test_client().get("/nope/my/alerts/").status_code == 404


def test_alerts_page_is_kept_only_in_the_private_cache(app: Flask, talks) -> None:
    worker = app.test_client().get("/sw.js").text
    urls = json.loads(re.search(r"^const URLS = (.*);$", worker, re.M).group(1))
    assert re.match(urls["private_page"], URL)  # network first, cleared at sign-out
    assert urls["my_alerts"] == "/<conf>/my/alerts/"  # warmed for offline with My schedule
    listed = app.test_client().get("/api/v1/conferences/testconf/offline").get_json()
    assert listed["pages"] and not [p for p in listed["pages"] if "/my/" in str(p)]


def test_my_schedule_and_settings_link_to_alerts(talks, device) -> None:
    phone, _ = device(talks["streams"])
    link = f'<a href="{URL}">Alerts sent to you</a>'
    assert link in phone.get("/testconf/my/").text
    assert link in phone.get("/settings/").text
