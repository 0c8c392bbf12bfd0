"""The results a track host reads in the evening: their tracks only (organisers: everything),
counts and shares, comments escaped, in a constant number of queries; never public."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.conftest import SAME_ORIGIN
from tests.hosting.conftest import as_user

RESULTS = "/testconf/host/votes/"


def _vote(app: Flask, talk: Any, colour: str, comment: str = "") -> None:
    answer = app.test_client().put(
        f"/api/v1/me/votes/{talk.guid}",
        json={"vote": colour, "comment": comment},
        headers=SAME_ORIGIN,
    )
    assert answer.status_code == 201, answer.text


@pytest.fixture
def voted(app: Flask, setting: dict[str, Any]) -> dict[str, Any]:
    app.config["FIXED_NOW"] = "2020-03-02T12:00:00+00:00"
    for colour in ("green", "green", "green", "yellow"):
        _vote(app, setting["streams"], colour)
    _vote(app, setting["streams"], "red", "Too fast <script>alert(1)</script>")
    _vote(app, setting["apis"], "yellow", "APIs comment")
    return setting


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("attendee", 403), ("other-host", 200), ("host", 200), ("organiser", 200)],
)
def test_only_hosts_and_organisers_read_results(
    app: Flask, voted: dict[str, Any], who: str | None, status: int
) -> None:
    answer = as_user(app, who).get(RESULTS)
    assert answer.status_code == status
    if status == 302:
        assert answer.headers["Location"].startswith("/login")


def test_a_guest_cannot_read_results(app: Flask, voted: dict[str, Any]) -> None:
    guest = app.test_client()
    made = guest.put(
        f"/api/v1/me/votes/{voted['streams'].guid}", json={"vote": "green"}, headers=SAME_ORIGIN
    )
    assert made.status_code == 201  # the vote made this client a guest
    assert guest.get(RESULTS).status_code == 403


def test_a_host_sees_their_tracks_counts_shares_and_comments(
    app: Flask, voted: dict[str, Any]
) -> None:
    page = as_user(app, "host").get(RESULTS).text
    assert "Streams" in page and "Later in Fleming" in page
    assert "APIs comment" not in page and ">APIs</a>" not in page
    streams = page.split(f'data-guid="{voted["streams"].guid}"')[1].split("</li>\n")[0]
    assert '<dd data-count="green">3 <span class="muted">(60 %)</span>' in streams
    assert '<dd data-count="yellow">1 <span class="muted">(20 %)</span>' in streams
    assert '<dd data-count="red">1 <span class="muted">(20 %)</span>' in streams
    assert '<dd data-count="total">5</dd>' in streams
    assert 'style="width: 60.0%"' in streams
    assert "Too fast &lt;script&gt;alert(1)&lt;/script&gt;" in streams
    assert "<script>alert" not in page
    later = page.split(f'data-guid="{voted["later"].guid}"')[1].split("</li>")[0]
    assert "No cards yet." in later


def test_an_organiser_sees_every_track(app: Flask, voted: dict[str, Any]) -> None:
    page = as_user(app, "organiser").get(RESULTS).text
    assert "APIs comment" in page and "Too fast" in page


def test_results_by_day(app: Flask, voted: dict[str, Any]) -> None:
    organiser = as_user(app, "organiser")
    assert "Streams" not in organiser.get(RESULTS + "?day=2020-03-03").text
    assert "Streams" in organiser.get(RESULTS + "?day=2020-03-02").text
    assert organiser.get(RESULTS + "?day=2020-03-09").status_code == 404
    assert organiser.get(RESULTS + "?day=tuesday").status_code == 404


def test_results_take_the_same_queries_for_one_session_or_three(
    app: Flask, setting: dict[str, Any], make_talk, queries, dbs: Session
) -> None:
    app.config["FIXED_NOW"] = "2020-03-02T12:00:00+00:00"
    organiser = as_user(app, "organiser")
    organiser.get(RESULTS)
    with queries() as few:
        organiser.get(RESULTS)
    for n in range(3):
        talk = make_talk(
            setting["conference"],
            f"More {n}",
            start="11:00",
            end="11:30",
            track="Streaming",
            speakers=(f"Speaker {n}",),
        )
        _vote(app, talk, "green", f"comment {n}")
    with queries() as many:
        organiser.get(RESULTS)
    assert len(many) == len(few)
