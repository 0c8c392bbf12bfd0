"""The worker against the local push service: every byte checked, encrypted and decrypted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.notify.models import Delivery, Notification, PushSubscription
from companion.notify.worker import Worker
from companion.programme.models import Room, Talk
from tests.notify.emulator import PushService

T0 = datetime(2020, 3, 2, 9, 52, tzinfo=UTC)


@pytest.fixture
def talks(app: Flask, make_conference, make_talk) -> dict[str, Talk]:
    app.config["FIXED_NOW"] = T0.isoformat()
    conference = make_conference()
    return {
        "streams": make_talk(conference, "Streams", start="10:00", end="10:50", room="Fleming"),
        "apis": make_talk(conference, "APIs", start="11:00", end="11:50", room="Whittle"),
    }


def _deliveries(dbs: Session) -> list[Delivery]:
    dbs.expire_all()
    return list(dbs.execute(select(Delivery).order_by(Delivery.id)).scalars())


def test_reminder_arrives_encrypted_signed_and_with_a_ttl(
    talks, device, worker: Worker, push_service: PushService, dbs: Session
) -> None:
    device(talks["streams"], talks["apis"])
    assert worker.run_once() == 1  # only Streams is within 10 minutes
    assert push_service.rejected == []
    [received] = push_service.received
    [notification_id] = dbs.execute(select(Notification.id)).scalars()
    assert received.payload == {
        "id": notification_id,  # the device keeps it for the Alerts page, once per alert
        "title": "Starts in 8 min: Streams",
        "body": "Fleming · Mon 2 10:00",
        "url": f"/testconf/sessions/{talks['streams'].guid}/",
        "tag": f"session-{talks['streams'].id}",
        "kind": "reminder",
    }
    assert received.ttl == 8 * 60  # worthless once the session has started
    assert (received.urgency, received.topic) == ("normal", f"r{talks['streams'].id}")
    assert worker.run_once() == 0  # planning again sends nothing twice
    assert len(push_service.received) == 1


def test_a_session_moved_before_its_reminder_is_reminded_at_its_new_time(
    app: Flask, talks, device, worker: Worker, push_service: PushService, edit
) -> None:
    device(talks["streams"])
    app.config["FIXED_NOW"] = "2020-03-02T09:45:00+00:00"  # before the 09:50 reminder
    worker.run_once()
    edit(
        talks["streams"],
        start=datetime(2020, 3, 2, 10, 30, tzinfo=UTC),
        end=datetime(2020, 3, 2, 11, 20, tzinfo=UTC),
    )
    app.config["FIXED_NOW"] = "2020-03-02T09:52:00+00:00"
    worker.run_once()
    assert [p["kind"] for p in push_service.payloads()] == ["change"]  # the move, not a reminder
    app.config["FIXED_NOW"] = "2020-03-02T10:21:00+00:00"
    worker.run_once()
    reminders = [p for p in push_service.payloads() if p["kind"] == "reminder"]
    assert [p["title"] for p in reminders] == ["Starts in 9 min: Streams"]


def test_change_alert_reaches_every_device_of_everyone_who_starred(
    app: Flask, talks, device, worker: Worker, push_service: PushService, edit, dbs: Session
) -> None:
    app.config["FIXED_NOW"] = "2020-03-02T08:00:00+00:00"  # no reminder due yet
    laptop, first = device(talks["apis"])
    _, second = device(client=laptop)  # the same person's phone
    _, other = device(talks["apis"])
    device(talks["streams"])  # someone who did not star APIs
    whittle_id = talks["apis"].room_id
    fleming = dbs.execute(select(Room).where(Room.slug == "fleming")).scalar_one()
    edit(talks["apis"], room_id=fleming.id)
    assert whittle_id != fleming.id
    app.config["FIXED_NOW"] = "2020-03-02T08:03:00+00:00"
    assert worker.run_once() == 3
    for subscription in (first, second, other):
        [payload] = push_service.payloads(subscription["endpoint"])
        assert (payload["title"], payload["body"]) == ("Changed: APIs", "Moved to Fleming")
    assert {r.urgency for r in push_service.received} == {"high"}
    assert {r.topic for r in push_service.received} == {f"c{talks['apis'].id}"}
    assert {d.status for d in _deliveries(dbs)} == {"sent"}


def test_gone_subscriptions_are_removed(
    app: Flask, talks, device, worker: Worker, push_service: PushService, dbs: Session
) -> None:
    _, subscription = device(talks["streams"])
    push_service.answer(subscription["endpoint"], (410, {}))
    worker.run_once()
    assert [d.status for d in _deliveries(dbs)] == ["gone"]
    assert dbs.execute(select(func.count()).select_from(PushSubscription)).scalar_one() == 0


def test_429_is_retried_after_retry_after_and_not_before(
    app: Flask, talks, device, worker: Worker, push_service: PushService, dbs: Session
) -> None:
    _, subscription = device(talks["streams"])
    push_service.answer(subscription["endpoint"], (429, {"Retry-After": "120"}))
    worker.run_once()
    [delivery] = _deliveries(dbs)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at >= T0 + timedelta(seconds=120)
    app.config["FIXED_NOW"] = (T0 + timedelta(seconds=60)).isoformat()
    worker.run_once()
    assert push_service.received == []  # not before Retry-After
    app.config["FIXED_NOW"] = (T0 + timedelta(seconds=121)).isoformat()
    worker.run_once()
    assert len(push_service.received) == 1
    assert [d.status for d in _deliveries(dbs)] == ["sent"]


def test_server_errors_back_off_then_fail_with_the_reason(
    app: Flask, talks, device, push_service: PushService, dbs: Session
) -> None:
    runner = Worker(app, concurrency=2, max_attempts=3, timeout=2.0)
    _, subscription = device(talks["streams"])
    push_service.answer(subscription["endpoint"], *[(500, {})] * 3)
    now = T0
    for _ in range(3):
        app.config["FIXED_NOW"] = now.isoformat()
        runner.run_once()
        [delivery] = _deliveries(dbs)
        now = delivery.next_attempt_at + timedelta(seconds=1)
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.last_error == "500 from the push service"
    runner.pool.shutdown()


def test_a_hanging_push_service_times_out_and_is_retried(
    app: Flask, talks, device, push_service: PushService, dbs: Session
) -> None:
    runner = Worker(app, concurrency=2, timeout=0.5)
    _, subscription = device(talks["streams"])
    push_service.answer(subscription["endpoint"], (0, {}))
    runner.run_once()
    [delivery] = _deliveries(dbs)
    assert delivery.status == "pending" and "Timeout" in (delivery.last_error or "")
    runner.pool.shutdown(wait=False)


def test_bad_subscriptions_are_refused(app: Flask, talks, device, push_service) -> None:
    client, _ = device(talks["streams"])
    for body in ({}, {"endpoint": "https://x"}, {"endpoint": 3, "keys": {}}, ["nope"]):
        response = client.post(
            "/api/v1/me/push-subscriptions", json=body, headers={"Sec-Fetch-Site": "same-origin"}
        )
        assert response.status_code == 400
        assert "subscription" in response.get_json()["error"]["message"]
    app.config["PUSH_ALLOW_HTTP"] = False
    insecure = client.post(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": "http://x/", "keys": {"p256dh": "a", "auth": "b"}},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert insecure.status_code == 400 and "https://" in insecure.get_json()["error"]["message"]


def test_people_who_turned_reminders_off_get_none(
    app: Flask, talks, device, worker: Worker, push_service: PushService
) -> None:
    client, _ = device(talks["streams"])
    client.post(
        "/settings/",
        data={"form": "profile", "name": "", "reminder_minutes": "10", "changes_enabled": "1"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    worker.run_once()
    assert push_service.received == []


def test_organisers_see_delivery_health(
    app: Flask,
    talks,
    device,
    worker: Worker,
    push_service: PushService,
    make_user,
    grant_role,
    dbs: Session,
) -> None:
    from companion.programme.models import Conference
    from tests.conftest import sign_in

    _, subscription = device(talks["streams"])
    push_service.answer(subscription["endpoint"], (500, {}))
    worker.run_once()
    boss = make_user(email="boss@example.org")
    grant_role(boss, dbs.execute(select(Conference)).scalar_one(), "organiser")
    organiser = app.test_client()
    sign_in(organiser, email="boss@example.org")
    page = organiser.get("/testconf/admin/notifications/").text
    assert '<a href="/testconf/admin/">‹ Organiser</a>' in page  # a way back
    assert '<span class="tile-big">1</span><span>Retrying</span>' in page
    assert "500 from the push service" in page
    attendee = app.test_client()
    make_user(email="ada@example.org")
    sign_in(attendee)
    assert attendee.get("/testconf/admin/notifications/").status_code == 403
