"""Live questions (issue 18): asked and upvoted only while the session is on, once per person,
plain text within limits, rate-limited per person, moderated by the track's hosts, and every
change a live event whose question never names who asked."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.live.models import LiveEvent
from companion.programme.models import Conference
from companion.questions.models import Question
from tests.conftest import SAME_ORIGIN, sign_in
from tests.hosting.conftest import as_user


@pytest.fixture
def on(app: Flask) -> None:
    app.config["FIXED_NOW"] = "2020-03-02T10:20:00+00:00"  # Streams and APIs run 10:00–10:50


def _ask(client: FlaskClient, talk: Any, text: Any) -> Any:
    return client.post(
        f"/api/v1/sessions/{talk.guid}/questions", json={"text": text}, headers=SAME_ORIGIN
    )


def _events(dbs: Session) -> list[dict[str, Any]]:
    dbs.expire_all()
    rows = dbs.execute(
        select(LiveEvent.data).where(LiveEvent.kind == "question").order_by(LiveEvent.id)
    )
    return list(rows.scalars())


def _listed(client: FlaskClient, talk: Any) -> list[tuple[str, int, str]]:
    answer = client.get(f"/api/v1/sessions/{talk.guid}/questions").json
    return [(q.get("text", ""), q.get("votes", 0), q["state"]) for q in answer["questions"]]


def test_ask_upvote_and_see_it_ranked(
    app: Flask, setting: dict[str, Any], dbs: Session, on: None
) -> None:
    alice, bob, carol = (app.test_client() for _ in range(3))
    first = _ask(alice, setting["streams"], "  How does it   fail over?\n ")
    assert first.status_code == 201
    assert first.json["text"] == "How does it fail over?"
    assert (first.json["mine"], first.json["votes"]) == (True, 0)
    second = _ask(bob, setting["streams"], "What about exactly-once?")
    for voter in (alice, carol):
        answer = voter.put(f"/api/v1/questions/{second.json['id']}/vote", headers=SAME_ORIGIN)
        assert (answer.status_code, answer.json["voted"]) == (200, True)
    carol.put(f"/api/v1/questions/{second.json['id']}/vote", headers=SAME_ORIGIN)  # a retry
    assert _listed(carol, setting["streams"]) == [
        ("What about exactly-once?", 2, "open"),
        ("How does it fail over?", 0, "open"),
    ]
    mine = alice.get(f"/api/v1/sessions/{setting['streams'].guid}/questions").json["questions"]
    assert [(q["mine"], q["voted"]) for q in mine] == [(False, True), (True, False)]
    own = bob.put(f"/api/v1/questions/{second.json['id']}/vote", headers=SAME_ORIGIN)
    assert own.status_code == 409
    back = carol.delete(f"/api/v1/questions/{second.json['id']}/vote", headers=SAME_ORIGIN)
    assert (back.json["votes"], back.json["voted"]) == (1, False)
    events = _events(dbs)
    assert [e.get("votes") for e in events] == [0, 0, 1, 2, 1]
    assert all(
        "user" not in str(e)
        and set(e) <= {"id", "session", "text", "votes", "state", "pinned", "asked_at"}
        for e in events
    )


def test_questions_only_while_the_session_is_on(
    app: Flask, setting: dict[str, Any], dbs: Session
) -> None:
    client = app.test_client()
    app.config["FIXED_NOW"] = "2020-03-02T09:59:00+00:00"
    early = _ask(client, setting["streams"], "Too early?")
    assert (early.status_code, early.json["error"]["message"]) == (
        409,
        "Questions open when the session starts, at 10:00.",
    )
    app.config["FIXED_NOW"] = "2020-03-02T10:10:00+00:00"
    asked = _ask(client, setting["streams"], "On time")
    app.config["FIXED_NOW"] = "2020-03-02T10:50:00+00:00"
    late = _ask(app.test_client(), setting["streams"], "Too late?")
    assert (late.status_code, late.json["error"]["message"]) == (
        409,
        "Questions closed when the session ended.",
    )
    vote = app.test_client().put(f"/api/v1/questions/{asked.json['id']}/vote", headers=SAME_ORIGIN)
    assert vote.status_code == 409
    assert _listed(client, setting["streams"]) == [("On time", 0, "open")]  # still readable


@pytest.mark.parametrize(
    ("text", "status", "message"),
    [
        ("", 422, "Write your question first."),
        ("   \n ", 422, "Write your question first."),
        ("x" * 281, 422, "Keep the question to 280 characters (this one has 281)."),
        ("bell\x07", 422, "The question contains characters that cannot be used."),
        ("csi\x9b[2J", 422, "The question contains characters that cannot be used."),
        (42, 422, "Write the question as text."),
    ],
)
def test_bad_questions_are_refused_with_a_message(
    app: Flask,
    setting: dict[str, Any],
    dbs: Session,
    on: None,
    text: Any,
    status: int,
    message: str,
) -> None:
    answer = _ask(app.test_client(), setting["streams"], text)
    assert (answer.status_code, answer.json["error"]["message"]) == (status, message)
    assert dbs.execute(select(Question)).first() is None


def test_markup_is_kept_as_text_and_shown_escaped(
    app: Flask, setting: dict[str, Any], on: None
) -> None:
    client = app.test_client()
    _ask(client, setting["streams"], "<img src=x onerror=alert(1)> works?")
    page = client.get(f"/testconf/sessions/{setting['streams'].guid}/questions").text
    assert "&lt;img src=x onerror=alert(1)&gt; works?" in page
    assert "<img src=x" not in page


def test_a_person_asking_too_fast_is_slowed_down(
    app: Flask, setting: dict[str, Any], dbs: Session, on: None
) -> None:
    client = app.test_client()
    for n in range(3):
        assert _ask(client, setting["streams"], f"Question {n}").status_code == 201
    fourth = _ask(client, setting["apis"], "One more")  # across sessions
    assert fourth.status_code == 429
    assert fourth.json["error"]["message"] == (
        "You asked 3 questions in 5 minutes: give the room a moment to read them, then ask again."
    )
    assert _ask(app.test_client(), setting["streams"], "Someone else").status_code == 201
    app.config["FIXED_NOW"] = "2020-03-02T10:24:59+00:00"  # a sliding window, not a fixed one
    assert _ask(client, setting["streams"], "Still too soon").status_code == 429
    app.config["FIXED_NOW"] = "2020-03-02T10:25:01+00:00"
    assert _ask(client, setting["streams"], "Later").status_code == 201


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("guest", 401),
        ("attendee", 403),
        ("other-host", 403),
        ("host", 200),
        ("organiser", 200),
    ],
)
def test_only_the_tracks_hosts_moderate(
    app: Flask, setting: dict[str, Any], dbs: Session, on: None, who: str | None, status: int
) -> None:
    asked = _ask(app.test_client(), setting["streams"], "Rude words").json
    person = f"guest:{setting['apis'].guid}" if who == "guest" else who
    answer = as_user(app, person).patch(
        f"/api/v1/questions/{asked['id']}", json={"state": "hidden"}, headers=SAME_ORIGIN
    )
    assert answer.status_code == status
    dbs.expire_all()
    state = dbs.execute(select(Question.state)).scalar_one()
    assert state == ("hidden" if status == 200 else "open")


def test_a_hidden_question_is_gone_for_everyone_but_the_hosts(
    app: Flask, setting: dict[str, Any], dbs: Session, on: None
) -> None:
    attendee = app.test_client()
    asked = _ask(attendee, setting["streams"], "Something rude").json
    host = as_user(app, "host")
    for change in ({"pinned": True}, {"state": "answered"}, {"state": "hidden"}):
        assert (
            host.patch(
                f"/api/v1/questions/{asked['id']}", json=change, headers=SAME_ORIGIN
            ).status_code
            == 200
        )
    assert _listed(attendee, setting["streams"]) == []
    assert _listed(host, setting["streams"]) == [("Something rude", 0, "hidden")]
    assert _events(dbs)[-1] == {
        "id": asked["id"],
        "session": setting["streams"].guid,
        "state": "hidden",
    }
    vote = app.test_client().put(f"/api/v1/questions/{asked['id']}/vote", headers=SAME_ORIGIN)
    assert vote.status_code == 404
    page = attendee.get(f"/testconf/sessions/{setting['streams'].guid}/questions").text
    assert "Something rude" not in page


@pytest.mark.parametrize("body", [{"state": "gone"}, {"pinned": "yes"}, {}, ["hidden"]], ids=str)
def test_bad_moderation_is_refused(
    app: Flask, setting: dict[str, Any], on: None, body: Any
) -> None:
    asked = _ask(app.test_client(), setting["streams"], "A question").json
    answer = as_user(app, "host").patch(
        f"/api/v1/questions/{asked['id']}", json=body, headers=SAME_ORIGIN
    )
    assert answer.status_code == 400
    assert answer.json["error"]["message"]


def test_unknown_questions_and_sessions(app: Flask, setting: dict[str, Any], on: None) -> None:
    client = app.test_client()
    assert client.put("/api/v1/questions/999/vote", headers=SAME_ORIGIN).status_code == 404
    assert client.put("/api/v1/questions/abc/vote", headers=SAME_ORIGIN).status_code == 404
    huge = client.put(f"/api/v1/questions/{10**30}/vote", headers=SAME_ORIGIN)
    assert huge.status_code == 404
    assert client.get("/api/v1/sessions/nope/questions").status_code == 404
    assert _ask(client, setting["streams"], "x").status_code == 201
    assert (
        client.post(
            f"/api/v1/sessions/{setting['streams'].guid}/questions",
            data="text",
            headers=SAME_ORIGIN,
        ).status_code
        == 400
    )


def test_questions_do_not_move_the_programme(
    app: Flask, setting: dict[str, Any], dbs: Session, on: None
) -> None:
    before = dbs.get(Conference, setting["conference"].id).revision
    _ask(app.test_client(), setting["streams"], "Does this change the revision?")
    dbs.expire_all()
    assert dbs.get(Conference, setting["conference"].id).revision == before


def test_the_page_works_without_javascript(
    app: Flask, setting: dict[str, Any], dbs: Session, on: None
) -> None:
    url = f"/testconf/sessions/{setting['streams'].guid}/questions"
    asker, voter = app.test_client(), app.test_client()
    assert asker.post(url, data={"text": "Form question"}, headers=SAME_ORIGIN).status_code == 303
    page = voter.get(url)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "Form question" in page.text
    question_id = dbs.execute(select(Question.id)).scalar_one()
    vote = voter.post(
        f"/testconf/questions/{question_id}/vote", data={"action": "up"}, headers=SAME_ORIGIN
    )
    assert vote.status_code == 303
    assert _listed(voter, setting["streams"]) == [("Form question", 1, "open")]
    bad = asker.post(url, data={"text": ""}, headers=SAME_ORIGIN)
    assert bad.status_code == 422 and "Write your question first." in bad.text
    host = as_user(app, "host")
    hide = host.post(
        f"/testconf/questions/{question_id}/moderate", data={"state": "hidden"}, headers=SAME_ORIGIN
    )
    assert hide.status_code == 303
    assert "Form question" not in voter.get(url).text
    screen = host.get(url + "?screen=1").text
    assert "q-screen" in screen and "Form question" not in screen


def test_a_guests_questions_and_upvotes_join_their_account(
    app: Flask, setting: dict[str, Any], dbs: Session, on: None
) -> None:
    account = as_user(app, "attendee")
    theirs = _ask(account, setting["streams"], "Account's question").json
    guest = app.test_client()
    _ask(guest, setting["streams"], "Guest's question")
    guest.put(f"/api/v1/questions/{theirs['id']}/vote", headers=SAME_ORIGIN)
    assert sign_in(guest, email="attendee@example.org").status_code == 302
    listed = guest.get(f"/api/v1/sessions/{setting['streams'].guid}/questions").json
    assert sorted((q["text"], q["mine"], q["votes"]) for q in listed["questions"]) == [
        ("Account's question", True, 0),  # an upvote of one's own question is dropped
        ("Guest's question", True, 0),
    ]


def test_the_accounts_upvote_of_the_guests_question_goes_at_sign_in(
    app: Flask, setting: dict[str, Any], dbs: Session, on: None
) -> None:
    phone = app.test_client()
    asked = _ask(phone, setting["streams"], "Asked as a guest on my phone").json
    account = as_user(app, "attendee")
    account.put(f"/api/v1/questions/{asked['id']}/vote", headers=SAME_ORIGIN)
    assert sign_in(phone, email="attendee@example.org").status_code == 302
    listed = phone.get(f"/api/v1/sessions/{setting['streams'].guid}/questions").json
    assert [(q["mine"], q["voted"], q["votes"]) for q in listed["questions"]] == [(True, False, 0)]


def test_an_attendee_is_refused_before_their_moderation_is_read(
    app: Flask, setting: dict[str, Any], on: None
) -> None:
    asked = _ask(app.test_client(), setting["streams"], "A question").json
    answer = as_user(app, "attendee").patch(
        f"/api/v1/questions/{asked['id']}", json={"state": "gone"}, headers=SAME_ORIGIN
    )
    assert answer.status_code == 403
