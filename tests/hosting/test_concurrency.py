"""Two hosts save the same session at the same moment, through gunicorn with two worker
processes, on the real database: exactly one save wins each time, the other gets 409, and the
winner's change is the one stored, audited once. No update is lost or silently overwritten."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.hosting.models import AuditEntry
from companion.programme.models import Talk

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 12


@pytest.fixture
def gunicorn(serve_gunicorn: Callable[..., str], setting: dict[str, Any]) -> str:
    """The app under gunicorn (2 workers) on the test database, with `setting` in it."""
    return serve_gunicorn(PUSH_DEBOUNCE_SECONDS="0")


def _signed_in(base: str, email: str) -> requests.Session:
    client = requests.Session()
    client.headers["Sec-Fetch-Site"] = "same-origin"
    response = client.post(
        f"{base}/login",
        data={"email": email, "password": "correct horse"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:200]
    return client


def _at_once(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Run the calls in threads released together by a barrier; their answers, in order."""
    start = threading.Barrier(len(calls))
    answers: list[requests.Response | None] = [None] * len(calls)

    def run(n: int) -> None:
        start.wait()
        answers[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


def _patch(
    client: requests.Session, url: str, body: dict[str, Any], etag: str
) -> Callable[[], requests.Response]:
    return lambda: client.patch(url, json=body, headers={"If-Match": etag}, timeout=30)


def test_two_hosts_saving_at_once_one_wins_one_gets_409(
    gunicorn: str, setting: dict[str, Any], dbs: Session, make_user, grant_role
) -> None:
    co_host = make_user(email="co-host@example.org", name="Co")
    grant_role(co_host, setting["conference"], "host", setting["tracks"]["streaming"])
    hosts = [_signed_in(gunicorn, "host@example.org"), _signed_in(gunicorn, "co-host@example.org")]
    url = f"{gunicorn}/api/v1/sessions/{setting['streams'].guid}"
    for round_ in range(ROUNDS):
        etag = hosts[0].get(url, timeout=10).headers["ETag"]
        assert etag == f'W/"v{round_ + 1}"'
        titles = [f"Round {round_} by host {n}" for n in range(2)]
        answers = _at_once([_patch(hosts[n], url, {"title": titles[n]}, etag) for n in range(2)])
        statuses = [answer.status_code for answer in answers]
        assert sorted(statuses) == [200, 409], statuses
        winner = titles[statuses.index(200)]
        dbs.expire_all()
        talk = dbs.get(Talk, setting["streams"].id)
        assert talk is not None
        assert (talk.title, talk.version) == (winner, round_ + 2)
    audited = dbs.execute(
        select(func.count()).where(AuditEntry.talk_id == setting["streams"].id)
    ).scalar_one()
    assert audited == ROUNDS  # one title change per round: the loser wrote nothing


def test_two_hosts_moving_two_sessions_into_one_room_at_once_cannot_both_win(
    gunicorn: str, setting: dict[str, Any], dbs: Session
) -> None:
    from companion.programme.models import Room

    dbs.add(Room(conference_id=setting["conference"].id, slug="churchill", name="Churchill"))
    dbs.commit()
    hosts = [
        _signed_in(gunicorn, "host@example.org"),
        _signed_in(gunicorn, "other-host@example.org"),
    ]
    urls = [f"{gunicorn}/api/v1/sessions/{setting[name].guid}" for name in ("streams", "apis")]
    homes = ["fleming", "whittle"]
    for _ in range(ROUNDS // 2):
        etags = [hosts[n].get(urls[n], timeout=10).headers["ETag"] for n in range(2)]
        answers = _at_once(
            [_patch(hosts[n], urls[n], {"room": "churchill"}, etags[n]) for n in range(2)]
        )
        statuses = [answer.status_code for answer in answers]
        assert sorted(statuses) == [200, 422], statuses  # the room is taken: named, not doubled
        winner = statuses.index(200)
        back = hosts[winner].patch(
            urls[winner],
            json={"room": homes[winner]},
            headers={"If-Match": hosts[winner].get(urls[winner], timeout=10).headers["ETag"]},
            timeout=30,
        )
        assert back.status_code == 200


def test_a_star_and_a_delete_at_once_have_one_answer(
    gunicorn: str, setting: dict[str, Any], dbs: Session, make_talk
) -> None:
    """Either the star wins and the delete is refused (422, "cancel it instead"), or the delete
    wins and the star gets 404: never a starred session deleted without its alert, never a 500."""
    from companion.agenda.models import Star

    host = _signed_in(gunicorn, "host@example.org")
    attendee = requests.Session()
    attendee.headers["Sec-Fetch-Site"] = "same-origin"
    assert attendee.get(f"{gunicorn}/api/v1/me", timeout=10).status_code == 200
    outcomes = set()
    for round_ in range(ROUNDS):
        talk = make_talk(
            setting["conference"],
            f"Mistake {round_}",
            start="16:00",
            end="16:50",
            room=None,
            track="Streaming",
        )
        talk_id, guid = talk.id, talk.guid
        url = f"{gunicorn}/api/v1/sessions/{guid}"
        etag = host.get(url, timeout=10).headers["ETag"]
        star, delete = _at_once(
            [
                lambda g=guid: attendee.put(f"{gunicorn}/api/v1/me/stars/{g}", timeout=30),
                lambda u=url, e=etag: host.delete(u, headers={"If-Match": e}, timeout=30),
            ]
        )
        answer = (star.status_code, delete.status_code)
        assert answer in {(201, 422), (404, 204)}, (answer, star.text[:200], delete.text[:200])
        dbs.expire_all()
        stored = dbs.get(Talk, talk_id)
        stars = dbs.execute(select(func.count()).where(Star.talk_id == talk_id)).scalar_one()
        if answer == (201, 422):
            assert stored is not None and stars == 1
            assert "Cancel it instead" in delete.json()["error"]["message"]
        else:
            assert stored is None and stars == 0
        outcomes.add(answer)
