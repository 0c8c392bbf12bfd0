"""Fixtures for Web Push: the local push service, subscribed devices, editing in the app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from companion.db import get_session
from companion.notify.worker import Worker
from companion.programme.models import Talk
from tests.conftest import SAME_ORIGIN
from tests.notify.emulator import PushService, trust


@pytest.fixture
def push_service(app: Flask) -> Iterator[PushService]:
    """The local push service, trusting the app's VAPID public key."""
    service = PushService(app.config["VAPID_PUBLIC_KEY"])
    trust(app, service)  # its own address and port only: other loopback ones stay refused
    yield service
    service.close()


@pytest.fixture
def device(app: Flask, push_service: PushService) -> Callable[..., tuple[FlaskClient, dict]]:
    """A browser that stars `talks` and turns notifications on; returns (client, subscription)."""

    def make(*talks: Talk, client: FlaskClient | None = None) -> tuple[FlaskClient, dict]:
        browser = client or app.test_client()
        for talk in talks:
            assert browser.put(
                f"/api/v1/me/stars/{talk.guid}", headers=SAME_ORIGIN
            ).status_code in (200, 201)
        subscription = push_service.subscribe()
        response = browser.post(
            "/api/v1/me/push-subscriptions", json=subscription, headers=SAME_ORIGIN
        )
        assert response.status_code == 201, response.text
        return browser, subscription

    return make


@pytest.fixture
def edit(app: Flask) -> Callable[..., None]:
    """Change a session the way an editor would: in the app, one committed transaction."""

    def change(talk: Talk, **values: Any) -> None:
        with app.app_context():
            session = get_session()
            fresh = session.get(Talk, talk.id)
            assert fresh is not None
            for name, value in values.items():
                setattr(fresh, name, value)
            session.commit()

    return change


@pytest.fixture
def worker(app: Flask) -> Iterator[Worker]:
    """A notification worker on the test database (short timeouts)."""
    runner = Worker(app, concurrency=4, batch=50, timeout=2.0)
    yield runner
    runner.pool.shutdown(wait=True)
