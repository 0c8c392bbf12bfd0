"""Nothing lost, nothing twice: workers killed mid-batch, and workers racing for the same work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.accounts.models import User
from companion.db import utcnow
from companion.notify.models import Delivery, Notification, PushSubscription
from companion.notify.worker import Worker
from companion.programme.models import Talk
from tests.notify.emulator import PushService, trust

ROOT = Path(__file__).resolve().parents[2]


def _fan_out(dbs: Session, talk: Talk, push_service: PushService, count: int) -> list[str]:
    """`count` users with a device each, and one change alert fanned out to all of them."""
    note = Notification(
        key=f"change:{talk.id}:test",
        kind="change",
        talk_id=talk.id,
        state="fanned_out",
        due_at=utcnow(),
        title="Changed: Streams",
        body="Moved to Whittle",
        url="/testconf/",
    )
    dbs.add(note)
    endpoints = []
    for _ in range(count):
        user = User()
        dbs.add(user)
        dbs.flush()
        subscription = push_service.subscribe()
        endpoints.append(subscription["endpoint"])
        dbs.add(
            PushSubscription(
                user_id=user.id,
                endpoint=subscription["endpoint"],
                p256dh=subscription["keys"]["p256dh"],
                auth=subscription["keys"]["auth"],
            )
        )
    dbs.flush()
    for subscription_id in dbs.execute(select(PushSubscription.id)).scalars():
        dbs.add(
            Delivery(
                notification_id=note.id, subscription_id=subscription_id, next_attempt_at=utcnow()
            )
        )
    dbs.commit()
    return endpoints


def test_two_workers_never_claim_the_same_delivery(
    app: Flask, make_conference, make_talk, dbs: Session
) -> None:
    service = PushService(app.config["VAPID_PUBLIC_KEY"])
    trust(app, service)
    try:
        talk = make_talk(make_conference(), "Streams")
        _fan_out(dbs, talk, service, 90)
        workers = [Worker(app, batch=60) for _ in range(2)]
        claimed: list[list[int]] = [[], []]
        start = threading.Barrier(2)

        def take(n: int) -> None:
            start.wait()
            with app.app_context():
                claimed[n] = [c.delivery_id for c in workers[n].claim(utcnow())]

        threads = [threading.Thread(target=take, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(claimed[0]).isdisjoint(claimed[1])
        assert len(claimed[0]) + len(claimed[1]) == 90
        for worker in workers:
            worker.pool.shutdown()
    finally:
        service.close()


def _start_worker(app: Flask, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PUSH_LEASE_SECONDS": "2",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PUSH_ALLOW_HTTP": "1",
        "PUSH_SERVICE_HOSTS": ",".join(app.config["PUSH_SERVICE_HOSTS"]),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app",
            "worker",
            "--concurrency",
            "2",
            "--batch",
            "10",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_worker_killed_mid_batch_loses_nothing(
    app: Flask, database_url: str, make_conference, make_talk, dbs: Session
) -> None:
    service = PushService(app.config["VAPID_PUBLIC_KEY"], delay=0.1)
    trust(app, service)
    try:
        talk = make_talk(make_conference(), "Streams")
        endpoints = _fan_out(dbs, talk, service, 40)
        first = _start_worker(app, database_url)
        deadline = time.monotonic() + 60
        while len(service.received) < 8:
            assert time.monotonic() < deadline and first.poll() is None, first.stderr
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)  # in the middle of a batch
        first.wait()
        second = _start_worker(app, database_url)
        try:
            deadline = time.monotonic() + 90
            while {r.subscription for r in service.received} != {
                e.rsplit("/", 1)[1] for e in endpoints
            }:
                assert time.monotonic() < deadline, "not every notification arrived"
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
        counts = Counter(r.subscription for r in service.received)
        repeats = sum(n - 1 for n in counts.values())
        assert repeats <= 10  # at most the batch that was in flight when the worker died
        assert {(r.topic, r.payload["tag"]) for r in service.received} == {
            (f"c{talk.id}", f"session-{talk.id}")
        }  # so a phone shows a repeat once
        dbs.expire_all()
        statuses = Counter(dbs.execute(select(Delivery.status)).scalars())
        assert statuses == {"sent": 40}
        assert service.rejected == []
    finally:
        service.close()
