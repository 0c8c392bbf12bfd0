"""Settle a clash from My schedule in one tap (issue 17): keep one session of a clash, or swap
it for another session of the same slot."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.agenda.models import Star
from companion.programme.models import Talk
from tests.agenda.test_my_schedule import _star
from tests.conftest import SAME_ORIGIN


def _starred(dbs: Session) -> set[str]:
    dbs.expire_all()
    return set(dbs.execute(select(Talk.title).join(Star, Star.talk_id == Talk.id)).scalars())


def test_keep_this_one_unstars_what_it_clashes_with(client: FlaskClient, day, dbs: Session) -> None:
    _star(client, day["streams"], day["apis"], day["late"])
    page = client.get("/testconf/my/").text
    assert page.count(">Keep this one<") == 2
    answer = client.post(
        "/testconf/my/swap",
        data={"keep": day["streams"].guid, "drop": [day["apis"].guid]},
        headers=SAME_ORIGIN,
    )
    assert (answer.status_code, answer.headers["Location"]) == (302, "/testconf/my/")
    assert _starred(dbs) == {"Streams", "Late"}
    assert "clash" not in client.get("/testconf/my/").text.split("<h2")[0]


def test_swap_stars_the_alternative_and_unstars_the_session(
    client: FlaskClient,
    day,
    dbs: Session,
) -> None:
    _star(client, day["streams"], day["apis"])
    page = client.get("/testconf/my/").text
    assert '<input type="hidden" name="keep" value="{}">'.format(day["other"].guid) in page
    client.post(
        "/testconf/my/swap",
        data={"keep": day["other"].guid, "drop": day["streams"].guid},
        headers=SAME_ORIGIN,
    )
    assert _starred(dbs) == {"APIs", "Security"}
    # Twice (a double tap, a retry) is the same.
    client.post(
        "/testconf/my/swap",
        data={"keep": day["other"].guid, "drop": day["streams"].guid},
        headers=SAME_ORIGIN,
    )
    assert _starred(dbs) == {"APIs", "Security"}


def test_a_swap_refuses_what_it_cannot_do_and_changes_nothing(
    client: FlaskClient,
    day,
    dbs: Session,
    make_conference,
    make_talk,
) -> None:
    _star(client, day["streams"], day["apis"])
    elsewhere = make_talk(make_conference(slug="other"), "Elsewhere")
    for data, status in [
        ({"keep": day["other"].guid}, 400),
        ({"drop": [t.guid for t in day.values()] * 5}, 400),
        ({"keep": elsewhere.guid, "drop": day["streams"].guid}, 404),
        ({"keep": "nope", "drop": day["streams"].guid}, 404),
        ({"drop": "\x00"}, 400),
    ]:
        answer = client.post("/testconf/my/swap", data=data, headers=SAME_ORIGIN)
        assert answer.status_code == status, data
    assert _starred(dbs) == {"Streams", "APIs"}


def test_a_swap_without_a_schedule_changes_nothing(client: FlaskClient, day, dbs: Session) -> None:
    answer = client.post(
        "/testconf/my/swap",
        data={"keep": day["apis"].guid, "drop": day["streams"].guid},
        headers=SAME_ORIGIN,
    )
    assert answer.status_code == 302 and _starred(dbs) == set()


def test_a_swap_from_another_site_is_refused(client: FlaskClient, day, dbs: Session) -> None:
    _star(client, day["streams"], day["apis"])
    answer = client.post("/testconf/my/swap", data={"drop": day["streams"].guid})
    assert answer.status_code == 400
    assert _starred(dbs) == {"Streams", "APIs"}
