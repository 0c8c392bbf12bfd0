"""The stream node (issue 16), a real `flask --app app stream` process on the test database
(SQLite, and PostgreSQL with LISTEN/NOTIFY), read as EventSource reads it."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from companion.live.models import LiveEvent
from companion.live.record import publish
from companion.programme.models import Conference, Talk
from tests.conftest import at
from tests.streams import StreamNode, StreamRefused, open_stream

Start = Callable[..., StreamNode]


@pytest.fixture
def talk(make_conference: Any, make_talk: Any) -> Talk:
    return make_talk(make_conference(), "Streams at scale", start="10:00", end="10:50")


def _move(dbs: Session, talk: Talk, hhmm: str) -> int:
    """Retime the talk and commit, as an edit would; the new event's id."""
    row = dbs.get(Talk, talk.id)
    assert row is not None
    hours, minutes = hhmm.split(":")
    row.start, row.end = at(hhmm), at(f"{hours}:{int(minutes) + 30}")
    dbs.commit()
    return int(
        dbs.execute(select(LiveEvent.id).order_by(LiveEvent.id.desc()).limit(1)).scalar_one()
    )


def test_an_edit_reaches_an_open_stream_with_its_id(
    stream_node: Start, dbs: Session, talk: Talk
) -> None:
    node = stream_node()
    stream = open_stream(node.events_url("testconf"))
    hello = stream.next()
    assert hello.kind == "hello" and hello.retry is not None and 3000 <= hello.retry <= 10000
    assert hello.id is None
    event_id = _move(dbs, talk, "11:00")
    event = stream.next()
    assert (event.kind, event.id) == ("change", event_id)
    assert event.data["sessions"][0]["start"] == "2020-03-02T11:00:00+00:00"
    assert stream.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
    assert stream.response.getheader("Access-Control-Allow-Origin") == "*"
    stream.close()


def test_retry_is_spread_over_reconnects(stream_node: Start, talk: Talk) -> None:
    node = stream_node()
    retries = set()
    for _ in range(5):
        stream = open_stream(node.events_url("testconf"))
        retries.add(stream.next().retry)
        stream.close()
    assert len(retries) > 1


def test_an_idle_stream_gets_heartbeats(stream_node: Start, talk: Talk) -> None:
    stream = open_stream(stream_node(LIVE_HEARTBEAT_SECONDS="1").events_url("testconf"))
    stream.next()
    with pytest.raises(TimeoutError):
        stream.next(timeout=2.5)
    assert stream.comments >= 1
    stream.close()


def test_a_client_resumes_after_a_restart_with_the_missed_event_exactly_once(
    stream_node: Start, dbs: Session, talk: Talk
) -> None:
    node = stream_node()
    stream = open_stream(node.events_url("testconf"))
    stream.next()
    first = _move(dbs, talk, "11:00")
    assert stream.next().id == first
    node.stop()
    missed = _move(dbs, talk, "12:00")
    node.start()
    with pytest.raises(ConnectionError):
        stream.next()
    again = open_stream(node.events_url("testconf"), last_event_id=stream.last_id)
    assert again.next().kind == "hello"
    replayed = again.next()
    assert (replayed.kind, replayed.id) == ("change", missed)
    latest = _move(dbs, talk, "13:00")
    assert again.next().id == latest  # not `missed` a second time
    assert [e.id for e in again.seen if e.id] == [missed, latest]
    # The same through the query parameter a tab that takes over sends.
    other = open_stream(node.events_url("testconf") + f"?last_event_id={first}")
    assert [other.next().kind, other.next().id, other.next().id] == ["hello", missed, latest]


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("yesterday", "not one of ours"),
        ("-3", "not one of ours"),
        ("99999999999", "unknown here"),
        ("1" * 40, "not one of ours"),
    ],
)
def test_a_garbage_last_event_id_gets_one_reset(
    stream_node: Start, dbs: Session, talk: Talk, given: str, reason: str
) -> None:
    node = stream_node()
    stream = open_stream(node.events_url("testconf"), last_event_id=given)
    hello = stream.next()
    assert hello.kind == "hello"
    reset = stream.next()
    assert reset.kind == "reset" and reset.id is None and reason in reset.data["reason"]
    assert reset.data["last_id"] == hello.data["last_id"]  # where to resume from after a drop
    event_id = _move(dbs, talk, "11:00")
    assert stream.next().id == event_id


def test_an_id_older_than_what_is_kept_gets_a_reset(
    stream_node: Start, dbs: Session, talk: Talk
) -> None:
    old = _move(dbs, talk, "11:00")
    _move(dbs, talk, "12:00")
    dbs.execute(delete(LiveEvent).where(LiveEvent.id <= old))
    dbs.commit()
    node = stream_node()
    stream = open_stream(node.events_url("testconf"), last_event_id=0)
    stream.next()
    assert stream.next().data["reason"] == "Events that old are no longer kept."


def test_too_many_streams_from_one_address_get_a_429_that_says_so(
    stream_node: Start, talk: Talk
) -> None:
    node = stream_node(LIVE_MAX_PER_ADDRESS="2")
    streams = [open_stream(node.events_url("testconf")) for _ in range(2)]
    for stream in streams:
        stream.next()
    with pytest.raises(StreamRefused) as refused:
        open_stream(node.events_url("testconf"))
    assert refused.value.status == 429
    assert refused.value.body == {
        "error": "Too many live connections from your address (2). "
        "Close other tabs of the app, or try again in a minute."
    }
    assert refused.value.headers["Retry-After"] == "60"
    streams[0].close()
    for _ in range(40):  # the node notices the hang-up within a second
        if node.status()["connections"] == 1:
            break
        time.sleep(0.1)
    open_stream(node.events_url("testconf")).next()


def test_an_unknown_conference_is_a_404_with_a_message(stream_node: Start, talk: Talk) -> None:
    node = stream_node()
    for slug in ("nope", "..", "x" * 300):
        with pytest.raises(StreamRefused) as refused:
            open_stream(node.events_url(slug))
        assert refused.value.status == 404
    assert refused.value.body == {"error": "There is no conference at this address."}


def test_a_client_that_never_reads_is_dropped_and_others_get_everything(
    stream_node: Start, dbs: Session, talk: Talk
) -> None:
    node = stream_node(LIVE_MAX_BUFFER="1024")
    reader = open_stream(node.events_url("testconf"))
    reader.next()
    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    silent.connect(("127.0.0.1", node.port))
    silent.sendall(
        b"GET /api/v1/conferences/testconf/events HTTP/1.1\r\nHost: x\r\n"
        b"Accept: text/event-stream\r\n\r\n"
    )
    for _ in range(50):
        if node.status()["connections"] == 2:
            break
        time.sleep(0.05)
    conference = dbs.execute(select(Conference)).scalar_one()
    for n in range(300):  # a burst of 1.2 MB: more than the silent client's buffers take
        publish(dbs, conference.id, "change", conference.revision, {"n": n, "pad": "x" * 4000})
    dbs.commit()
    assert [reader.next().data["n"] for _ in range(300)] == list(range(300))
    publish(dbs, conference.id, "change", conference.revision, {"n": 300})
    dbs.commit()
    assert reader.next().data["n"] == 300
    status = node.status()
    assert (status["dropped"], status["connections"]) == (1, 1)
    silent.close()


def test_the_poll_answers_what_is_new_and_304_when_nothing_is(
    stream_node: Start, dbs: Session, talk: Talk
) -> None:
    node = stream_node()
    url = node.events_url("testconf")
    first = requests.get(url, params={"after": 0}, timeout=5)
    assert first.status_code == 200 and first.headers["Access-Control-Allow-Origin"] == "*"
    position = first.json()["last_id"]
    assert (
        requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=5).status_code
        == 304
    )
    event_id = _move(dbs, talk, "11:00")
    for _ in range(50):
        answer = requests.get(
            url,
            params={"after": position},
            headers={"If-None-Match": first.headers["ETag"]},
            timeout=5,
        )
        if answer.status_code == 200:
            break
        time.sleep(0.05)
    body = answer.json()
    assert (body["last_id"], body["reset"]) == (event_id, False)
    assert [(e["id"], e["type"]) for e in body["events"]] == [(event_id, "change")]
    assert requests.get(url, params={"after": "soon"}, timeout=5).json()["reset"] is True
    preflight = requests.options(url, timeout=5)
    assert preflight.status_code == 204
    assert "Last-Event-ID" in preflight.headers["Access-Control-Allow-Headers"]


def test_two_stream_nodes_on_one_database_each_get_every_event(
    stream_node: Start, dbs: Session, talk: Talk
) -> None:
    nodes = [stream_node(), stream_node()]
    streams = [open_stream(node.events_url("testconf")) for node in nodes]
    for stream in streams:
        stream.next()
    ids = [_move(dbs, talk, hhmm) for hhmm in ("11:00", "12:00", "13:00")]
    for stream in streams:
        assert [stream.next().id for _ in ids] == ids
    if dbs.get_bind().dialect.name == "postgresql":
        assert all(node.status()["listening"] for node in nodes)
