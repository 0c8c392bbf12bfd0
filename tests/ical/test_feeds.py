from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from companion.caching import reset_caches
from companion.programme.models import Room, Talk
from tests.conftest import SAME_ORIGIN, sign_in


def _events(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def dst_conference(make_conference, make_talk, make_floor, dbs: Session) -> dict[str, Talk]:
    """A London conference across the clocks going forward (29 March 2020)."""
    conference = make_conference(start_date=date(2020, 3, 27), end_date=date(2020, 3, 30))
    floor = make_floor(conference, "3rd floor", level=3)
    talks = {
        "before": make_talk(
            conference,
            "Before, in GMT",
            day=date(2020, 3, 27),
            start="09:00",
            end="09:50",
            room="Fleming",
            track="Streams",
            speakers=("Akhilesh Gupta",),
            abstract="Likes, comments; and more:\nline two 🎉 " + "long " * 40,
        ),
        "after": make_talk(
            conference,
            "After, in BST",
            day=date(2020, 3, 30),
            start="08:00",
            end="08:50",
            room="Whittle",
            kind="keynote",
        ),
    }
    fleming = dbs.get(Room, talks["before"].room_id)
    assert fleming is not None
    fleming.floor_id = floor.id
    dbs.commit()
    return talks


def test_session_file_has_everything_a_calendar_needs(
    client: FlaskClient, dst_conference, icaljs
) -> None:
    talk = dst_conference["before"]
    response = client.get(f"/testconf/sessions/{talk.guid}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "inline" in response.headers["Content-Disposition"]
    event = _events(response.data)[f"{talk.guid}@conference-companion"]
    assert event["summary"] == "Before, in GMT"
    assert event["sequence"] == 0
    assert event["status"] == "CONFIRMED"
    assert event["location"] == "Fleming, 3rd floor, QEII Centre"
    assert event["url"] == f"http://localhost/testconf/sessions/{talk.guid}/"
    assert event.decoded("dtstart") == datetime(2020, 3, 27, 9, 0, tzinfo=UTC)
    assert event["dtstart"].params["TZID"] == "Europe/London"
    assert [str(c) for c in event["categories"].cats] == ["Streams", "Talk"]
    assert "Akhilesh Gupta" in event["description"] and "line two 🎉" in event["description"]
    cal = Calendar.from_ical(response.data)
    assert cal["x-wr-timezone"] == "Europe/London"
    assert str(cal["refresh-interval"].to_ical(), "ascii") == "PT1H"
    assert len(cal.walk("VTIMEZONE")) == 1
    assert all(len(line) <= 75 for line in response.data.split(b"\r\n"))
    parsed = icaljs(response.data)["events"][0]
    assert parsed["summary"] == "Before, in GMT" and parsed["tzid"] == "Europe/London"
    assert (parsed["utc_start"], parsed["local_start"]) == (
        "2020-03-27T09:00:00.000Z",
        "2020-03-27T09:00",
    )


def test_times_survive_daylight_saving_in_both_parsers(
    client: FlaskClient, dst_conference, icaljs
) -> None:
    data = client.get("/testconf/schedule.ics").data
    ours = {
        str(e["summary"]): e.decoded("dtstart") for e in Calendar.from_ical(data).walk("VEVENT")
    }
    assert ours == {
        "Before, in GMT": datetime(2020, 3, 27, 9, 0, tzinfo=UTC),
        "After, in BST": datetime(2020, 3, 30, 8, 0, tzinfo=UTC),
    }
    theirs = {e["summary"]: (e["utc_start"], e["local_start"]) for e in icaljs(data)["events"]}
    assert theirs == {
        "Before, in GMT": ("2020-03-27T09:00:00.000Z", "2020-03-27T09:00"),
        "After, in BST": ("2020-03-30T08:00:00.000Z", "2020-03-30T09:00"),
    }


def test_track_feed_holds_the_tracks_sessions(client: FlaskClient, dst_conference, icaljs) -> None:
    data = client.get("/testconf/tracks/streams.ics").data
    parsed = icaljs(data)
    assert parsed["name"] == "Test Conf · Streams"
    assert [e["summary"] for e in parsed["events"]] == ["Before, in GMT"]


@pytest.mark.parametrize(
    "url",
    [
        "/testconf/sessions/nope.ics",
        "/testconf/tracks/nope.ics",
        "/nope/schedule.ics",
        "/feeds/nope.ics",
    ],
)
def test_unknown_things_are_404(client: FlaskClient, dst_conference, url: str) -> None:
    assert client.get(url).status_code == 404


def test_public_feeds_answer_304(client: FlaskClient, dst_conference, dbs: Session) -> None:
    first = client.get("/testconf/schedule.ics")
    headers = {"If-None-Match": first.headers["ETag"]}
    assert client.get("/testconf/schedule.ics", headers=headers).status_code == 304
    dst_conference["after"].title = "After, renamed"
    dbs.commit()
    assert client.get("/testconf/schedule.ics", headers=headers).status_code == 200


def _feed_url(client: FlaskClient) -> str:
    client.post("/settings/calendar-feed", data={"next": "/testconf/my/"}, headers=SAME_ORIGIN)
    page = client.get("/testconf/my/").text
    url = page.split('id="feed-url" class="copy-field" type="text" readonly value="')[1]
    return "/" + url.split('"')[0].split("/", 3)[3]


def test_private_feed_follows_stars_edits_and_cancellations(
    app: Flask, client: FlaskClient, dst_conference, dbs: Session, icaljs
) -> None:
    before, after = dst_conference["before"], dst_conference["after"]
    for talk in (before, after):
        client.put(f"/api/v1/me/stars/{talk.guid}", headers=SAME_ORIGIN)
    url = _feed_url(client)
    assert url.startswith("/feeds/") and len(url) > 50
    feed = client.get(url)
    assert feed.headers["Cache-Control"] == "private, no-cache"
    parsed = icaljs(feed.data)
    assert parsed["name"] == "My schedule · Test Conf"
    assert [e["alarms_minutes"] for e in parsed["events"]] == [[-10], [-10]]
    assert client.get(url, headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304

    before.start = datetime(2020, 3, 27, 10, 0, tzinfo=UTC)
    before.end = datetime(2020, 3, 27, 10, 50, tzinfo=UTC)
    after.status = "cancelled"
    dbs.commit()
    changed = client.get(url, headers={"If-None-Match": feed.headers["ETag"]})
    assert changed.status_code == 200
    events = {e["uid"]: e for e in icaljs(changed.data)["events"]}
    moved = events[f"{before.guid}@conference-companion"]
    assert (moved["sequence"], moved["utc_start"]) == (1, "2020-03-27T10:00:00.000Z")
    gone = events[f"{after.guid}@conference-companion"]
    assert (gone["status"], gone["sequence"], gone["alarms_minutes"]) == ("CANCELLED", 1, [])

    client.delete(f"/api/v1/me/stars/{before.guid}", headers=SAME_ORIGIN)
    summaries = [e["summary"] for e in icaljs(client.get(url).data)["events"]]
    assert summaries == ["After, in BST"]


def test_private_feed_uses_the_reminder_lead_time(
    client: FlaskClient, dst_conference, make_user
) -> None:
    make_user()
    sign_in(client)
    client.put(f"/api/v1/me/stars/{dst_conference['before'].guid}", headers=SAME_ORIGIN)
    client.post(
        "/settings/",
        data={"form": "profile", "name": "Ada", "reminder_minutes": "25"},
        headers=SAME_ORIGIN,
    )
    feed = Calendar.from_ical(client.get(_feed_url(client)).data)
    alarm = feed.walk("VALARM")[0]
    assert alarm.decoded("trigger").total_seconds() == -25 * 60


def test_replacing_the_address_kills_the_old_one(client: FlaskClient, dst_conference) -> None:
    client.put(f"/api/v1/me/stars/{dst_conference['before'].guid}", headers=SAME_ORIGIN)
    old = _feed_url(client)
    replace = {"action": "replace", "confirm": "1"}
    client.post("/settings/calendar-feed", data=replace, headers=SAME_ORIGIN)
    new = _feed_url(client)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    revoke = {"action": "revoke", "confirm": "1"}
    client.post("/settings/calendar-feed", data=revoke, headers=SAME_ORIGIN)
    assert client.get(new).status_code == 404


@pytest.mark.parametrize("action", ["revoke", "replace"])
def test_one_tap_never_breaks_the_subscribed_calendars(
    client: FlaskClient, dst_conference, action: str
) -> None:
    client.put(f"/api/v1/me/stars/{dst_conference['before'].guid}", headers=SAME_ORIGIN)
    address = _feed_url(client)
    tap = client.post("/settings/calendar-feed", data={"action": action}, headers=SAME_ORIGIN)
    assert tap.status_code == 422
    assert "Every calendar subscribed to your current address stops updating" in tap.text
    question = tap.text.split('<section class="confirm"')[1].split("</section>")[0]
    assert f'<input type="hidden" name="action" value="{action}">' in question
    assert '<input type="hidden" name="confirm" value="1">' in question
    assert client.get(address).status_code == 200
    assert _feed_url(client) == address


def test_feed_queries_do_not_grow_with_events(
    app: Flask, client: FlaskClient, make_conference, make_busy_day, queries
) -> None:
    conference = make_conference()
    talks = make_busy_day(conference, 24)
    client.put(f"/api/v1/me/stars/{talks[0].guid}", headers=SAME_ORIGIN)  # a user, then a feed
    url = _feed_url(client)
    counts = []
    for batch in (talks[1:2], talks[2:]):
        for talk in batch:
            client.put(f"/api/v1/me/stars/{talk.guid}", headers=SAME_ORIGIN)
        reset_caches(app)
        with queries() as private:
            assert client.get(url).status_code == 200
        with queries() as public:
            assert client.get("/testconf/schedule.ics").status_code == 200
        counts.append((len(private), len(public)))
    assert counts[0] == counts[1]
