"""Fixtures: one app per test on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set), a client, a separate database session for setup and assertions, and factories."""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app import create_app
from companion.cli import upgrade_database
from companion.db import Base, count_queries, get_database_of
from companion.programme.models import (
    Conference,
    Floor,
    Room,
    Speaker,
    Talk,
    TalkSpeaker,
    Track,
    TrackHost,
)
from tests.streams import StreamNode

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: Every app a test builds renders the page store on demand, in the test's own thread, unless the
#: test asks for the background renderer (which must not outlive the test's tables).
os.environ["RENDER_AFTER_EDIT"] = "0"
# No stream node unless a test starts one (`stream_node`, `demo_server(live=True)`).
os.environ["LIVE_URL"] = "off"


# --- No network beyond this machine -------------------------------------------------------------

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise RuntimeError(f"Tests may not reach the network ({host}); use loopback only.")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


# --- Databases ----------------------------------------------------------------------------------


POSTGRES_MISSING = (
    "PostgreSQL TESTS SKIPPED: TEST_DATABASE_URL is not set. `make test` installs and "
    "starts PostgreSQL and sets it; run that to test on PostgreSQL too."
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--sqlite-only",
        action="store_true",
        help="Run the database tests on SQLite only (`make check`), even in CI.",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the PostgreSQL half when asked to, or when there is no PostgreSQL outside CI
    (one banner at the end says so, instead of a SKIPPED line per test). In CI a missing
    PostgreSQL still fails every test that needs it."""
    sqlite_only = config.getoption("--sqlite-only")
    if not sqlite_only and (IN_CI or os.environ.get("TEST_DATABASE_URL")):
        return
    kept, left_out = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        (left_out if on_postgres else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
        config.stash[_POSTGRES_LEFT_OUT] = (len(left_out), sqlite_only)


_POSTGRES_LEFT_OUT = pytest.StashKey[tuple[int, bool]]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The one banner for the PostgreSQL half left out."""
    if _POSTGRES_LEFT_OUT not in config.stash:
        return
    count, sqlite_only = config.stash[_POSTGRES_LEFT_OUT]
    why = "--sqlite-only (make check)" if sqlite_only else POSTGRES_MISSING
    terminalreporter.write_sep("=", f"{count} PostgreSQL tests not run", yellow=True)
    terminalreporter.write_line(why)


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        if IN_CI:
            pytest.fail(POSTGRES_MISSING + " In CI this is an error.", pytrace=False)
        pytest.skip(POSTGRES_MISSING)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A freshly migrated database of each kind, shared by the session's tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        url = _postgres_url()
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade_database(url)
    return url


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A fresh app on the shared database; every table is emptied afterwards. Mails go to a
    folder of the test's own (the `mailbox` fixture puts a real SMTP server in between)."""
    application = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "PUBLIC_URL": "http://localhost",
            "MAIL_FOLDER": str(tmp_path / "mail"),
        }
    )
    yield application
    application.extensions["companion.renderer"].wait()
    engine = get_database_of(application).engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of `app`."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """A CLI runner of `app`."""
    return app.test_cli_runner()


@pytest.fixture
def dbs(app: Flask) -> Iterator[Session]:
    """A database session of its own (like another process), for setup and assertions."""
    with get_database_of(app).sessionmaker() as db_session:
        yield db_session


@pytest.fixture
def queries(app: Flask) -> Callable[[], Any]:
    """`with queries() as statements:` collects the SQL the app runs inside the block."""
    return lambda: count_queries(get_database_of(app).engine)


# --- Factories ----------------------------------------------------------------------------------

LONDON_DAY = date(2020, 3, 2)


def at(hhmm: str, day: date = LONDON_DAY) -> datetime:
    """A UTC instant on `day` (London is on UTC in March, so local and UTC agree)."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=UTC)


@pytest.fixture
def make_conference(dbs: Session) -> Callable[..., Conference]:
    """Create and commit a conference (3 days from 2020-03-02 in London unless told otherwise)."""

    def make(**fields: Any) -> Conference:
        values: dict[str, Any] = {
            "slug": "testconf",
            "name": "Test Conf",
            "timezone": "Europe/London",
            "start_date": LONDON_DAY,
            "end_date": LONDON_DAY + timedelta(days=2),
            "venue": "QEII Centre",
        }
        values.update(fields)
        conference = Conference(**values)
        dbs.add(conference)
        dbs.commit()
        return conference

    return make


@pytest.fixture
def make_talk(dbs: Session) -> Callable[..., Talk]:
    """Create and commit a talk, with a room, track and speakers made on the fly by name."""

    def make(
        conference: Conference,
        title: str = "A talk",
        *,
        start: str = "10:00",
        end: str = "10:50",
        day: date = LONDON_DAY,
        room: str | None = "Fleming",
        track: str | None = None,
        speakers: tuple[str, ...] = (),
        **fields: Any,
    ) -> Talk:
        room_obj = _get_or_make(dbs, Room, conference, room) if room else None
        track_obj = _get_or_make(dbs, Track, conference, track) if track else None
        people = [_get_or_make(dbs, Speaker, conference, name) for name in speakers]
        talk = Talk(
            conference_id=conference.id,
            title=title,
            start=at(start, day),
            end=at(end, day),
            room=room_obj,
            track=track_obj,
            **fields,
        )
        talk.speaker_links = [
            TalkSpeaker(speaker=person, position=position) for position, person in enumerate(people)
        ]
        dbs.add(talk)
        dbs.commit()
        return talk

    return make


def _slugify(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def _get_or_make(dbs: Session, model: Any, conference: Conference, name: str) -> Any:
    from sqlalchemy import select

    slug = _slugify(name)
    found = dbs.execute(
        select(model).where(model.conference_id == conference.id, model.slug == slug)
    ).scalar_one_or_none()
    if found is None:
        found = model(conference_id=conference.id, slug=slug, name=name)
        dbs.add(found)
        dbs.flush()
    return found


@pytest.fixture
def make_busy_day(make_talk: Callable[..., Talk]) -> Callable[[Conference, int], list[Talk]]:
    """`count` ten-minute sessions from 09:00 in four rooms and three tracks, each with its own
    speaker (query-count tests: everything a card shows varies per session)."""

    def make(conference: Conference, count: int) -> list[Talk]:
        return [
            make_talk(
                conference,
                f"T{n}",
                start=f"{9 + n // 6:02d}:{(n % 6) * 10:02d}",
                end=f"{9 + n // 6:02d}:{(n % 6) * 10 + 9:02d}",
                room=f"Room {n % 4}",
                speakers=(f"Speaker {n}",),
                track=f"Track {n % 3}",
            )
            for n in range(count)
        ]

    return make


@pytest.fixture
def make_host(dbs: Session) -> Callable[[Track, Speaker], None]:
    """Make `speaker` a host of `track`."""

    def make(track: Track, speaker: Speaker) -> None:
        dbs.add(TrackHost(track_id=track.id, speaker_id=speaker.id))
        dbs.commit()

    return make


@pytest.fixture
def make_floor(dbs: Session) -> Callable[..., Floor]:
    """Create and commit a floor."""

    def make(conference: Conference, name: str, level: int = 0) -> Floor:
        floor = Floor(conference_id=conference.id, slug=_slugify(name), name=name, level=level)
        dbs.add(floor)
        dbs.commit()
        return floor

    return make


DATA = Path(__file__).parent / "data"


#: For test users only: a hash that takes microseconds, not scrypt's tens of milliseconds.
FAST_HASH = "pbkdf2:sha256:1000"

#: What a browser adds to a same-origin form post or fetch (accepted in place of a CSRF token).
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def make_user(dbs: Session) -> Callable[..., Any]:
    """Create and commit a registered user (password "correct horse"). Its hash is a cheap one
    (the app's own hashing stays scrypt): signing in checks whatever method a hash names, and
    scrypt here cost a third of the suite's time."""
    from werkzeug.security import generate_password_hash

    from companion.accounts.models import User

    def make(
        email: str = "ada@example.org", password: str = "correct horse", name: str = "Ada"
    ) -> User:
        user = User(
            email=email,
            password_hash=generate_password_hash(password, method=FAST_HASH),
            name=name,
            email_confirmed_at=datetime(2020, 1, 1, tzinfo=UTC),
        )
        dbs.add(user)
        dbs.commit()
        return user

    return make


@pytest.fixture
def grant_role(dbs: Session) -> Callable[..., None]:
    """Make a user an organiser of a conference, or a host of a track."""
    from companion.accounts.models import Role

    def grant(user: Any, conference: Conference, kind: str, track: Track | None = None) -> None:
        dbs.add(
            Role(
                user_id=user.id,
                conference_id=conference.id,
                kind=kind,
                track_id=track.id if track else None,
            )
        )
        dbs.commit()

    return grant


def sign_in(
    client: FlaskClient,
    email: str = "ada@example.org",
    password: str = "correct horse",
    **fields: str,
) -> Any:
    """Sign `client` in through the form (`fields` adds to it, e.g. `next`)."""
    data = {"email": email, "password": password, "remember": "1", **fields}
    return client.post("/login", data=data, headers=SAME_ORIGIN)


# --- Mail ---------------------------------------------------------------------------------------


class Mailbox:
    """What a real SMTP server on loopback received; `refuse` makes it answer 451 to every mail."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd's hook: keep the message (or refuse it)."""
        if self.refuse:
            return "451 4.3.0 Try again later"
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def body(self, index: int = -1) -> str:
        """The plain-text body of a received message (the last by default)."""
        part = self.messages[index].get_body(("plain",))
        assert part is not None
        return str(part.get_content())

    def link(self, index: int = -1) -> str:
        """The one http(s) link in a received message, as a path (the test client's URL)."""
        links = re.findall(r"https?://\S+", self.body(index))
        assert len(links) == 1, links
        return "/" + links[0].split("/", 3)[3]


@pytest.fixture
def mailbox(app: Flask) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 at a free port, and `app` set to send to it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USE_STARTTLS=False
    )
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def serve_gunicorn(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`serve_gunicorn(**env)`: the app under gunicorn (2 worker processes) on the test database
    at a free loopback port, with `env` added to its environment; its log is in
    tmp_path/gunicorn.log. Stopped (workers and their threads with it) before `app` empties the
    tables. No background rendering unless `env` asks for it."""
    servers: list[subprocess.Popen[bytes]] = []

    def serve(**env: str) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "gunicorn-test",
            "RENDER_AFTER_EDIT": "0",
            **env,
        }
        log = tmp_path / "gunicorn.log"
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "app:create_app()",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        servers.append(server)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(f"{base}/manifest.webmanifest", timeout=10)
                return base
            except requests.RequestException:
                time.sleep(0.1)
        pytest.fail("gunicorn did not start: " + log.read_text())

    yield serve
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def stream_node(
    app: Flask, database_url: str, tmp_path: Path
) -> Iterator[Callable[..., StreamNode]]:
    """`stream_node(**env)`: a real stream server (`flask --app app stream`) on the test database
    at a free loopback port, started; its log is tmp_path/stream.log. Stopped before `app` empties
    the tables."""
    nodes: list[StreamNode] = []

    def start(**env: str) -> StreamNode:
        node = StreamNode(database_url, tmp_path / "stream.log", **env)
        nodes.append(node)
        return node.start()

    yield start
    for node in nodes:
        node.stop()
