"""Public pages are the same bytes whatever the clock says: now & next, the day's status, today's
keynotes and the default day are chosen on the device (static/js/now.js; see
tests/browser/test_now.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from companion.caching import reset_caches
from companion.programme.models import Conference
from tests.conftest import LONDON_DAY

#: Day 1 at 09:30 (the keynote is on) and day 3 at 15:00, hours and days apart.
MORNING, LATER = "2020-03-02T09:30:00+00:00", "2020-03-04T15:00:00+00:00"
#: The one thing a page says about the clock: the deployment's FIXED_NOW, if it has one.
FIXED_NOW_ATTRIBUTE = re.compile(r' data-fixed-now="[^"]*"')


@pytest.fixture
def conference(make_conference, make_talk) -> Conference:
    """Three days: a keynote on the first and last, and Fleming busy on two of them."""
    conference = make_conference()
    last = conference.end_date
    make_talk(conference, "Opening Keynote", start="09:00", end="09:50", kind="keynote")
    make_talk(conference, "Streams", start="10:00", end="10:50", track="Streaming Data")
    make_talk(conference, "Late Streams", start="16:00", end="16:50", day=last)
    make_talk(conference, "Closing Keynote", start="17:00", end="17:50", day=last, kind="keynote")
    make_talk(conference, "Elsewhere", start="10:00", end="10:50", room="Whittle")
    return conference


def _body_at(app: Flask, client: FlaskClient, path: str, instant: str) -> str:
    app.config["FIXED_NOW"] = instant
    reset_caches(app)
    response = client.get(path)
    assert response.status_code == 200
    return FIXED_NOW_ATTRIBUTE.sub("", response.text)


@pytest.mark.parametrize("path", ["/testconf/", "/testconf/rooms/fleming/", "/testconf/programme/"])
def test_public_page_is_the_same_bytes_at_any_time(
    app: Flask, client: FlaskClient, conference: Conference, path: str
) -> None:
    assert _body_at(app, client, path, MORNING) == _body_at(app, client, path, LATER)


def test_pages_name_the_fixed_now_of_the_deployment_only(
    app: Flask, client: FlaskClient, conference: Conference
) -> None:
    app.config["FIXED_NOW"] = None
    assert "data-fixed-now" not in client.get("/testconf/").text
    app.config["FIXED_NOW"] = MORNING
    reset_caches(app)
    page = client.get("/testconf/").text
    assert f'data-fixed-now="{MORNING}"' in page
    assert 'data-days="2020-03-02 2020-03-03 2020-03-04" data-day-change="4"' in page


def _section(page: str, marker: str) -> str:
    return page.split(marker)[1].split("</section>")[0]


def test_room_page_lists_every_days_sessions(client: FlaskClient, conference: Conference) -> None:
    page = client.get("/testconf/rooms/fleming/").text
    first, second, third = (
        _section(page, f'data-day="{LONDON_DAY + timedelta(days=n)}"') for n in range(3)
    )
    assert "Monday 2 March in Fleming</h2>" in first
    assert "Opening Keynote" in first and "Streams" in first and "Late Streams" not in first
    assert "Nothing is scheduled here on this day." in second
    assert "Late Streams" in third and "Closing Keynote" in third
    assert "Elsewhere" not in page


def test_now_and_next_wait_hidden_for_the_device(
    client: FlaskClient, conference: Conference
) -> None:
    for path in ("/testconf/", "/testconf/rooms/fleming/"):
        page = client.get(path).text
        assert '<section class="glance" aria-labelledby="now-h" data-glance="now" hidden>' in page
        assert '<section class="glance" aria-labelledby="next-h" data-glance="next" hidden>' in page
        glance = page.split("data-now-next=")[1].split("Nothing more is scheduled.")[0]
        assert "<article" not in glance


def test_home_holds_every_status_and_every_days_keynotes(
    client: FlaskClient, conference: Conference
) -> None:
    page = client.get("/testconf/").text
    status = page.split("data-hero-status>")[1].split("</div>")[0]
    assert status.count(" hidden>") == 5
    assert "Day 2 of 3 · Tuesday 3 March" in status and "That's a wrap" in status
    assert "Opening Keynote" in _section(page, 'data-keynotes="2020-03-02"')
    assert "Closing Keynote" in _section(page, 'data-keynotes="2020-03-04"')
    assert 'data-keynotes="2020-03-03"' not in page  # no keynote that day: no empty heading
    assert "Streams" not in page.split('data-keynotes="2020-03-02"')[1].split("Explore")[0]


def test_programme_without_day_is_the_first_day(
    client: FlaskClient, conference: Conference
) -> None:
    page = client.get("/testconf/programme/").text
    assert 'href="/testconf/programme/2020-03-02/" aria-current="page"' in page
    assert '<div class="timeline" data-timeline data-day="2020-03-02"' in page
