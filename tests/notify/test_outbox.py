from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.db import get_session
from companion.notify.models import Notification
from companion.notify.worker import Worker
from companion.programme.models import Room, Talk


@pytest.fixture
def talk(app: Flask, make_conference, make_talk) -> Talk:
    app.config["FIXED_NOW"] = "2020-03-02T08:00:00+00:00"
    conference = make_conference()
    make_talk(conference, "Other", start="12:00", end="12:50", room="Whittle")
    return make_talk(conference, "Streams", start="10:00", end="10:50", room="Fleming")


def _alerts(dbs: Session) -> list[Notification]:
    dbs.expire_all()
    return list(dbs.execute(select(Notification).where(Notification.kind == "change")).scalars())


def test_a_move_writes_its_alert_in_the_same_transaction(
    app: Flask, talk: Talk, dbs: Session
) -> None:
    whittle = dbs.execute(select(Room).where(Room.slug == "whittle")).scalar_one()
    with app.app_context():
        session = get_session()
        session.get(Talk, talk.id).room_id = whittle.id  # type: ignore[union-attr]
        session.flush()
        assert session.execute(select(Notification)).scalars().all()  # written with the edit
        session.rollback()  # the edit fails: so does its alert
    assert _alerts(dbs) == []


def test_a_title_edit_alerts_nobody(talk: Talk, edit, dbs: Session) -> None:
    edit(talk, title="Streams, renamed")
    assert _alerts(dbs) == []


def test_edits_within_the_window_make_one_alert_with_the_final_state(
    app: Flask, talk: Talk, edit, worker: Worker, dbs: Session
) -> None:
    whittle = dbs.execute(select(Room).where(Room.slug == "whittle")).scalar_one()
    edit(talk, room_id=whittle.id)
    app.config["FIXED_NOW"] = "2020-03-02T08:01:00+00:00"
    edit(
        talk,
        start=datetime(2020, 3, 2, 14, 10, tzinfo=UTC),
        end=datetime(2020, 3, 2, 15, 0, tzinfo=UTC),
    )
    assert len(_alerts(dbs)) == 1
    app.config["FIXED_NOW"] = "2020-03-02T08:02:30+00:00"  # the window (2 min) has closed
    worker.plan(datetime(2020, 3, 2, 8, 2, 30, tzinfo=UTC))
    [alert] = _alerts(dbs)
    assert (alert.state, alert.title) == ("fanned_out", "Changed: Streams")
    assert alert.body == "Moved to Whittle, now Mon 2 14:10"


def test_an_edit_undone_within_the_window_sends_nothing(
    app: Flask, talk: Talk, edit, worker: Worker, dbs: Session
) -> None:
    fleming_id = talk.room_id
    whittle = dbs.execute(select(Room).where(Room.slug == "whittle")).scalar_one()
    edit(talk, room_id=whittle.id)
    edit(talk, room_id=fleming_id)
    worker.plan(datetime(2020, 3, 2, 8, 5, tzinfo=UTC))
    assert _alerts(dbs) == []


def test_cancelling_says_so(app: Flask, talk: Talk, edit, worker: Worker, dbs: Session) -> None:
    edit(talk, status="cancelled")
    worker.plan(datetime(2020, 3, 2, 8, 5, tzinfo=UTC))
    [alert] = _alerts(dbs)
    assert alert.title == "Cancelled: Streams"
    assert alert.body == "It will not take place (Mon 2 10:00)."
