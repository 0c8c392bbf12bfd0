"""Push endpoints: only known push services, never an address a user chose (issue 13, 5, 11)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.notify.endpoints import SendGuard, matching_entry
from companion.notify.models import PushSubscription
from companion.notify.worker import Worker
from tests.conftest import SAME_ORIGIN
from tests.notify.emulator import PushService
from tests.notify.test_reliability import _fan_out

KEYS = {
    "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u"
    "-Ts1XbjhazAkj7I99e8QcYP7DkM",
    "auth": "tBHItJI5svbpez7KI4CCXg",
}


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1:5199/x",
        "https://localhost/x",
        "https://10.0.0.1/push",
        "https://[::1]/push",
        "https://169.254.169.254/latest/meta-data",
        "https://evil.example/push",
        "https://fcm.googleapis.com.evil.example/x",
        "https://evilpush.apple.com/x",
        "https://user:pw@fcm.googleapis.com/x",
        "http://fcm.googleapis.com/x",
    ],
)
def test_endpoints_off_the_push_services_are_refused(app: Flask, endpoint: str) -> None:
    response = app.test_client().post(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": endpoint, "keys": KEYS},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 400
    assert "push" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/QGx",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
    ],
)
def test_the_push_services_of_browsers_are_accepted(app: Flask, endpoint: str) -> None:
    response = app.test_client().post(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": endpoint, "keys": KEYS},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 201


def test_the_sender_checks_the_resolved_address() -> None:
    """An allowed name that resolves to loopback (or was made to) is never connected to; an
    address the allow-list names itself (the tests' push service) is."""
    guard = SendGuard(("localhost", "127.0.0.1:5199"), allow_http=True)
    assert matching_entry("https://localhost/x", guard.allowed, allow_http=True) == "localhost"
    assert not guard.may_send("https://localhost/x")
    assert guard.may_send("http://127.0.0.1:5199/push/1")
    assert not guard.may_send("http://127.0.0.1:5200/push/1")


def test_a_stored_endpoint_off_the_list_is_dropped_without_a_connection(
    app: Flask, make_conference, make_talk, dbs: Session
) -> None:
    """Subscriptions stored before the allow-list existed: the worker sends nothing to them."""
    service = PushService(app.config["VAPID_PUBLIC_KEY"])  # not trusted by the app
    app.config["PUSH_ALLOW_HTTP"] = True
    try:
        _fan_out(dbs, make_talk(make_conference(), "Streams"), service, 3)
        worker = Worker(app, concurrency=2)
        worker.run_once()
        worker.pool.shutdown()
        assert service.received == [] and service.rejected == []
        dbs.expire_all()
        assert dbs.execute(select(PushSubscription)).scalars().all() == []
    finally:
        service.close()


def test_another_device_cannot_take_over_an_endpoint(app: Flask, push_service) -> None:
    owner, other = app.test_client(), app.test_client()
    subscription = push_service.subscribe()
    assert (
        owner.post(
            "/api/v1/me/push-subscriptions", json=subscription, headers=SAME_ORIGIN
        ).status_code
        == 201
    )
    stolen = {"endpoint": subscription["endpoint"], "keys": KEYS}
    taken = other.post("/api/v1/me/push-subscriptions", json=stolen, headers=SAME_ORIGIN)
    assert taken.status_code == 409
    assert "belongs to another device" in taken.get_json()["error"]["message"]
    # The same browser (same keys) signing in as someone else moves it, as before.
    assert (
        other.post(
            "/api/v1/me/push-subscriptions", json=subscription, headers=SAME_ORIGIN
        ).status_code
        == 200
    )
    assert (
        owner.delete(
            "/api/v1/me/push-subscriptions",
            json={"endpoint": subscription["endpoint"]},
            headers=SAME_ORIGIN,
        ).status_code
        == 200
    )


def test_the_owner_can_always_remove_their_endpoint(app: Flask, push_service, dbs: Session):
    owner, other = app.test_client(), app.test_client()
    subscription = push_service.subscribe()
    owner.post("/api/v1/me/push-subscriptions", json=subscription, headers=SAME_ORIGIN)
    other.post(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": subscription["endpoint"], "keys": KEYS},
        headers=SAME_ORIGIN,
    )
    owner.delete(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": subscription["endpoint"]},
        headers=SAME_ORIGIN,
    )
    assert dbs.execute(select(PushSubscription)).scalars().all() == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com:5199/x",
        "https://x.push.apple.com:22/x",
        "https://fcm.googleapis.com:0/x",
        "https://fcm.googleapis.com/a\tb",
        "https://fcm.googleapis.com/a b",
    ],
)
def test_push_services_are_reached_on_their_own_port_only(app: Flask, endpoint: str) -> None:
    response = app.test_client().post(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": endpoint, "keys": KEYS},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 400


def test_an_api_call_that_needs_an_account_answers_401_json(app: Flask) -> None:
    response = app.test_client().delete(
        "/api/v1/me/push-subscriptions", json={"endpoint": "x"}, headers=SAME_ORIGIN
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["title"] == "Sign in first"
    page = app.test_client().get("/settings/")
    assert page.status_code == 302 and page.headers["Location"] == "/login?next=%2Fsettings%2F"


def test_one_endpoint_has_one_spelling(app: Flask, push_service) -> None:
    """Probe 2, F6: case, a trailing dot or the default port must not make another endpoint
    (which would get around the owner binding); an empty label is no host."""
    owner, other = app.test_client(), app.test_client()
    endpoint = "https://fcm.googleapis.com/fcm/send/abc"
    assert (
        owner.post(
            "/api/v1/me/push-subscriptions",
            json={"endpoint": endpoint, "keys": KEYS},
            headers=SAME_ORIGIN,
        ).status_code
        == 201
    )
    for spelling in (
        "https://FCM.GOOGLEAPIS.COM/fcm/send/abc",
        "https://fcm.googleapis.com.:443/fcm/send/abc",
        "https://fcm.googleapis.com:443/fcm/send/abc",
    ):
        taken = other.post(
            "/api/v1/me/push-subscriptions",
            json={"endpoint": spelling, "keys": {**KEYS, "auth": "other-device-auth"}},
            headers=SAME_ORIGIN,
        )
        assert taken.status_code == 409, spelling
    empty = other.post(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": "https://.push.apple.com/x", "keys": KEYS},
        headers=SAME_ORIGIN,
    )
    assert empty.status_code == 400


def test_deeply_nested_json_is_a_400(app: Flask) -> None:
    """Probe 2, F2: 3,000 levels of nesting were a RecursionError (500), even anonymously."""
    for body in ('{"a":' * 3000 + "1" + "}" * 3000, "[" * 3000 + "]" * 3000):
        response = app.test_client().post(
            "/api/v1/me/push-subscriptions",
            data=body,
            content_type="application/json",
            headers=SAME_ORIGIN,
        )
        assert response.status_code == 400


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1\\.x.push.apple.com/abc",  # urlsplit and urllib3 disagree on the host
        "https://evil.example\\.push.apple.com/x",
        "https://fcm.googleapis.com/fcm/send/Tn#frag",
        "https://fcm.googleapis.com/./fcm/send/Tn",
        "https://fcm.googleapis.com/fcm/send/Tn/.",
        "https://fcm.googleapis.com//fcm/send/Tn",
        "https://a..push.apple.com/x",
        "https://x_y.push.apple.com/x",
    ],
)
def test_endpoints_two_parsers_could_read_differently_are_refused(app: Flask, endpoint: str):
    """Probe 3, N1 and N4: the host that is checked must be the host that is reached, and one
    subscription has one spelling."""
    response = app.test_client().post(
        "/api/v1/me/push-subscriptions",
        json={"endpoint": endpoint, "keys": KEYS},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 400


def test_escapes_of_plain_characters_are_the_same_endpoint(app: Flask) -> None:
    owner, other = app.test_client(), app.test_client()
    assert (
        owner.post(
            "/api/v1/me/push-subscriptions",
            json={"endpoint": "https://fcm.googleapis.com/fcm/send/Tn", "keys": KEYS},
            headers=SAME_ORIGIN,
        ).status_code
        == 201
    )
    variant = other.post(
        "/api/v1/me/push-subscriptions",
        json={
            "endpoint": "https://fcm.googleapis.com/fcm/send/%54n",
            "keys": {**KEYS, "auth": "another-device"},
        },
        headers=SAME_ORIGIN,
    )
    assert variant.status_code == 409
