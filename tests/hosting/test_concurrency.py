"""Two hosts save the same session at the same moment, through gunicorn with two worker
processes, on the real database: exactly one save wins each time, the other gets 409, and the
winner's change is the one stored, audited once. No update is lost or silently overwritten."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
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
def gunicorn(database_url: str, setting: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """The app under gunicorn (2 workers) on the test database, at a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "concurrency-test",
        "PUSH_DEBOUNCE_SECONDS": "0",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/testconf/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text())
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


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


def _race(hosts: list[requests.Session], url: str, etag: str, round_: int) -> list[tuple[int, str]]:
    """Both hosts PATCH at the same instant (a barrier releases them together)."""
    start = threading.Barrier(2)
    answers: list[tuple[int, str]] = [(0, "")] * 2

    def save(n: int) -> None:
        title = f"Round {round_} by host {n}"
        start.wait()
        response = hosts[n].patch(
            url, json={"title": title}, headers={"If-Match": etag}, timeout=30
        )
        answers[n] = (response.status_code, title)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


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
        answers = _race(hosts, url, etag, round_)
        assert sorted(status for status, _ in answers) == [200, 409], answers
        winner = next(title for status, title in answers if status == 200)
        dbs.expire_all()
        talk = dbs.get(Talk, setting["streams"].id)
        assert talk is not None
        assert (talk.title, talk.version) == (winner, round_ + 2)
    audited = dbs.execute(
        select(func.count()).where(AuditEntry.talk_id == setting["streams"].id)
    ).scalar_one()
    assert audited == ROUNDS  # one title change per round: the loser wrote nothing
