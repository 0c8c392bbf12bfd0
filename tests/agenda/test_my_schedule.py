from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from companion.programme.models import Room, Talk
from tests.conftest import SAME_ORIGIN, at, sign_in


def _star(client: FlaskClient, *talks: Talk) -> None:
    for talk in talks:
        client.put(f"/api/v1/me/stars/{talk.guid}", headers=SAME_ORIGIN)


def test_empty_schedule_explains_what_to_do(client: FlaskClient, day) -> None:
    page = client.get("/testconf/my/")
    assert page.status_code == 200
    assert "Nothing starred yet." in page.text
    assert page.headers["Cache-Control"] == "private, no-store"


def test_schedule_shows_clash_alternatives_and_free_time(client: FlaskClient, day) -> None:
    _star(client, day["keynote"], day["streams"], day["apis"])
    page = client.get("/testconf/my/").text
    assert "1 clash:" in page
    streams_card = page.split("Streams</a></h3>")[1].split("</article>")[0]
    assert "Clashes with</strong> <a" in streams_card and ">APIs</a>" in streams_card
    assert "Also in this slot (1)" in streams_card and "Security" in streams_card
    assert (
        'Free <time datetime="2020-03-02T09:50:00Z" data-format="clock">09:50</time>–'
        '<time datetime="2020-03-02T10:20:00Z" data-format="end">10:20</time> · 30 min'
    ) in page
    assert page.count('aria-pressed="true"') == 3


def test_changes_since_starring_are_flagged_until_seen(
    client: FlaskClient, day, dbs: Session
) -> None:
    _star(client, day["streams"], day["late"])
    streams, late = day["streams"], day["late"]
    streams.room = dbs.get(Room, day["apis"].room_id)
    late.status = "cancelled"
    dbs.commit()
    page = client.get("/testconf/my/").text
    assert "Changed since you starred them" in page
    assert "Streams</a>:\n      moved to Whittle" in page or "moved to Whittle" in page
    assert "cancelled" in page.split("Changed since")[1].split("</section>")[0]
    client.post("/testconf/my/seen", headers=SAME_ORIGIN)
    assert "Changed since you starred" not in client.get("/testconf/my/").text


def test_now_and_next_for_me_is_left_to_the_device(app: Flask, client: FlaskClient, day) -> None:
    """The device fills it from the starred cards (tests/browser/test_now.py), so that the saved
    copy stays right as the clock moves."""
    app.config["FIXED_NOW"] = "2020-03-02T09:30:00+00:00"
    _star(client, day["keynote"], day["late"])
    page = client.get("/testconf/my/").text
    glance = page.split("data-now-next-mine")[1].split("</section>")[0]
    assert ' data-day-labels="Mon 2|Tue 3|Wed 4" hidden>' in glance
    assert '<div class="card-list" data-glance-cards></div>' in glance


def test_my_schedule_queries_do_not_grow_with_stars(
    app: Flask, client: FlaskClient, queries, make_conference, make_busy_day
) -> None:
    conference = make_conference()
    talks = make_busy_day(conference, 30)
    counts = []
    for stars in (talks[:3], talks[3:30]):
        _star(client, *stars)
        with queries() as statements:
            assert client.get("/testconf/my/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_hosts_see_star_counts_of_their_tracks_only(
    app: Flask, day, make_user, grant_role, dbs: Session
) -> None:
    attendee = app.test_client()
    _star(attendee, day["streams"], day["apis"])
    host = make_user(email="host@example.org")
    grant_role(host, _conf(dbs), "host", day["streams"].track)
    client = app.test_client()
    sign_in(client, email="host@example.org")
    page = client.get("/testconf/host/interest/").text
    assert "Streams" in page and "APIs" not in page
    assert '<td class="num">1</td>' in page
    assert "host@example.org" not in page


def test_attendees_cannot_see_star_counts(app: Flask, day, make_user) -> None:
    make_user()
    client = app.test_client()
    sign_in(client)
    assert client.get("/testconf/host/interest/").status_code == 403
    assert app.test_client().get("/testconf/host/interest/").status_code == 302


def _conf(dbs: Session):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from companion.programme.models import Conference

    return dbs.execute(select(Conference)).scalar_one()


def test_where_next_names_the_day_of_a_session_not_today(
    app: Flask, client: FlaskClient, make_conference, make_talk
) -> None:
    conference = make_conference()
    day_three = make_talk(conference, "Closing", day=conference.end_date, room="Fleming")
    app.config["FIXED_NOW"] = "2020-03-02T07:30:00+00:00"  # day 1, before anything starts
    _star(client, day_three)
    page = client.get("/testconf/my/").text
    where = page.split("Where next?")[1].split("</section>")[0]
    assert (
        '<time datetime="2020-03-04T10:00:00Z" data-format="short-day">Wed 4</time> <time' in where
    )


def test_a_retimed_star_names_its_new_time_in_time_tags(
    client: FlaskClient, day, dbs: Session
) -> None:
    # <time>s, so that the device's zone can be shown instead (static/js/zone.js).
    _star(client, day["streams"])
    streams = day["streams"]
    streams.start, streams.end = at("14:10"), at("15:00")
    dbs.commit()
    changed = client.get("/testconf/my/").text.split("Changed since")[1].split("</section>")[0]
    assert (
        'now <time datetime="2020-03-02T14:10:00Z" data-format="short-day">Mon 2</time> '
        '<time datetime="2020-03-02T14:10:00Z" data-format="clock">14:10</time>'
    ) in changed
