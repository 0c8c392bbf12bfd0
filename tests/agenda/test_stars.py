from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.accounts.models import User
from companion.agenda.models import Star
from companion.programme.models import Talk
from tests.conftest import SAME_ORIGIN


@pytest.fixture
def talks(make_conference, make_talk) -> list[Talk]:
    conference = make_conference()
    return [
        make_talk(conference, "Keynote", start="09:00", end="09:50", kind="keynote"),
        make_talk(conference, "Streams", start="10:00", end="10:50", room="Fleming"),
        make_talk(conference, "APIs", start="10:00", end="10:50", room="Whittle"),
    ]


def _stars(dbs: Session) -> list[tuple[int, int]]:
    dbs.expire_all()
    return [tuple(row) for row in dbs.execute(select(Star.user_id, Star.talk_id)).all()]


def test_first_star_creates_a_guest_held_by_a_secure_cookie(
    client: FlaskClient, talks, dbs: Session
) -> None:
    response = client.put(f"/api/v1/me/stars/{talks[1].guid}", headers=SAME_ORIGIN)
    assert response.status_code == 201
    assert response.get_json() == {"guid": talks[1].guid, "starred": True}
    guest = dbs.execute(select(User)).scalar_one()
    assert guest.is_guest
    assert _stars(dbs) == [(guest.id, talks[1].id)]
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("cc_remember="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember
    token = remember.split("=", 1)[1].split("|", 1)[0]
    assert len(token) >= 43 and str(guest.id) != token  # a random token, not the row id


def test_star_and_unstar_are_idempotent(client: FlaskClient, talks, dbs: Session) -> None:
    url = f"/api/v1/me/stars/{talks[1].guid}"
    assert client.put(url, headers=SAME_ORIGIN).status_code == 201
    assert client.put(url, headers=SAME_ORIGIN).status_code == 200
    assert len(_stars(dbs)) == 1
    assert client.delete(url, headers=SAME_ORIGIN).status_code == 200
    assert client.delete(url, headers=SAME_ORIGIN).status_code == 200
    assert _stars(dbs) == []
    assert dbs.execute(select(func.count(User.id))).scalar_one() == 1


def test_unstar_without_a_user_creates_nobody(client: FlaskClient, talks, dbs: Session) -> None:
    assert (
        client.delete(f"/api/v1/me/stars/{talks[1].guid}", headers=SAME_ORIGIN).status_code == 200
    )
    assert dbs.execute(select(func.count(User.id))).scalar_one() == 0


def test_starring_an_unknown_session_is_a_json_404(
    client: FlaskClient, talks, dbs: Session
) -> None:
    response = client.put("/api/v1/me/stars/nope", headers=SAME_ORIGIN)
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "There is no such session."
    assert dbs.execute(select(func.count(User.id))).scalar_one() == 0


def test_missing_csrf_token_is_refused_with_a_clear_message(
    client: FlaskClient, talks, dbs: Session
) -> None:
    response = client.put(f"/api/v1/me/stars/{talks[1].guid}")
    assert response.status_code == 400
    assert "security token is missing or out of date" in response.get_json()["error"]["message"]
    cross = client.put(
        f"/api/v1/me/stars/{talks[1].guid}", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 400
    wrong = client.put(f"/api/v1/me/stars/{talks[1].guid}", headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    assert _stars(dbs) == []


def test_csrf_token_from_me_works_for_scripts(client: FlaskClient, talks, dbs: Session) -> None:
    me = client.get("/api/v1/me")
    assert me.headers["Cache-Control"] == "private, no-store"
    token = me.get_json()["csrf_token"]
    response = client.put(f"/api/v1/me/stars/{talks[1].guid}", headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert client.get("/api/v1/me").get_json()["stars"] == [talks[1].guid]


def test_plain_form_post_stars_and_returns(client: FlaskClient, talks, dbs: Session) -> None:
    response = client.post(
        f"/testconf/sessions/{talks[2].guid}/star",
        data={"action": "star", "next": "/testconf/programme/2020-03-02/"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/testconf/programme/2020-03-02/"
    assert len(_stars(dbs)) == 1
    client.post(
        f"/testconf/sessions/{talks[2].guid}/star", data={"action": "unstar"}, headers=SAME_ORIGIN
    )
    assert _stars(dbs) == []


def test_form_post_refuses_an_offsite_next(client: FlaskClient, talks) -> None:
    response = client.post(
        f"/testconf/sessions/{talks[2].guid}/star",
        data={"action": "star", "next": "//evil.example/"},
        headers=SAME_ORIGIN,
    )
    assert response.headers["Location"] == f"/testconf/sessions/{talks[2].guid}/"


def test_public_pages_stay_cacheable_for_everyone(client: FlaskClient, talks) -> None:
    client.put(f"/api/v1/me/stars/{talks[1].guid}", headers=SAME_ORIGIN)
    page = client.get("/testconf/programme/2020-03-02/")
    assert page.headers["Cache-Control"] == "public, no-cache"
    assert "Set-Cookie" not in page.headers
    assert 'aria-pressed="true"' not in page.text  # state comes from /api/v1/me, per user


def test_agenda_api_lists_stars_and_clashes(client: FlaskClient, talks) -> None:
    for talk in talks:
        client.put(f"/api/v1/me/stars/{talk.guid}", headers=SAME_ORIGIN)
    doc = client.get("/api/v1/me/agenda?conference=testconf").get_json()
    assert doc["count"] == 3
    assert [s["title"] for s in doc["days"][0]["sessions"]] == ["Keynote", "Streams", "APIs"]
    assert doc["clashes"] == [[talks[1].guid, talks[2].guid]]
    streams = doc["days"][0]["sessions"][1]
    assert streams["clashes_with"] == [talks[2].guid]
    assert streams["changed_since_starred"] == []


def test_agenda_api_needs_a_conference(client: FlaskClient) -> None:
    response = client.get("/api/v1/me/agenda")
    assert response.status_code == 400
    assert "Name the conference" in response.get_json()["error"]["message"]
