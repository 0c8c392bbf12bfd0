"""An edit end to end: an organiser moves a session that 2,000 attendees starred, through
`PATCH /api/v1/sessions/<guid>` on gunicorn (2 workers), on SQLite and on PostgreSQL.

    make bench          # runs this too
    .venv/bin/python bench/edit.py [--moves 200] [--postgres URL]

Each move is one request and one transaction: the permission and version checks, the rules
(room clash, speaker clash), the UPDATE, its audit rows, the change alert for the attendees
(notify's flush hook) and the conference revision. Sending the pushes is the worker's job and is
measured by bench/push.py. The session moves back and forth between two rooms that are free at
its time. No worker runs, so the first move opens the session's change alert and every later move
finds that alert still open and updates it (the debounce; a move back is an undo) — the same
lookup-and-write a real edit does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import RESULTS, flask_commands, start_gunicorn
from stars import _bench_postgres

STARS = int(os.environ.get("BENCH_STARS", "2000"))
SECRET = "bench-secret-key"
EMAIL = "bench-organiser@example.org"
PASSWORD = "bench organiser password"


def populate(url: str) -> tuple[str, list[str]]:
    """The demo, an organiser, and 2,000 attendees who starred one session; returns that
    session's guid and the slugs of two rooms free all through it."""
    flask_commands(
        url,
        ["init-db"],
        ["load-demo"],
        ["create-user", EMAIL, "--name", "Bench", "--password", PASSWORD],
        ["grant", EMAIL, "--conference", "qcon-london-2020", "--organiser"],
        secret=SECRET,
    )
    from sqlalchemy import insert, select

    from app import create_app
    from companion.accounts.models import User
    from companion.agenda.models import Star
    from companion.db import get_database_of
    from companion.programme.models import Room, Talk

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    engine = get_database_of(app).engine
    with engine.begin() as conn:
        rooms = conn.execute(select(Room.id, Room.slug).order_by(Room.position)).all()
        candidates = conn.execute(
            select(
                Talk.id,
                Talk.guid,
                Talk.start.label("start"),
                Talk.end.label("end"),
                Talk.room_id,
                Talk.status,
            )
            .where(Talk.kind == "talk", Talk.room_id.is_not(None))
            .order_by(Talk.start)
        ).all()
        for talk in candidates:
            busy = set(
                conn.execute(
                    select(Talk.room_id).where(Talk.start < talk.end, Talk.end > talk.start)
                ).scalars()
            )
            free = [slug for room_id, slug in rooms if room_id not in busy]
            if len(free) >= 1:
                break
        else:
            raise SystemExit("no session with a free room beside it")
        home = next(slug for room_id, slug in rooms if room_id == talk.room_id)
        if not STARS:
            return talk.guid, [free[0], home]
        conn.execute(
            insert(User), [{"name": f"Bench {n}", "reminder_minutes": 10} for n in range(STARS)]
        )
        users = conn.execute(select(User.id).where(User.email.is_(None))).scalars().all()
        conn.execute(
            insert(Star),
            [
                {
                    "user_id": user_id,
                    "talk_id": talk.id,
                    "seen_start": talk.start,
                    "seen_end": talk.end,
                    "seen_room_id": talk.room_id,
                    "seen_status": talk.status,
                }
                for user_id in users[:STARS]
            ],
        )
    engine.dispose()
    return talk.guid, [free[0], home]


def measure(label: str, url: str, moves: int) -> str:
    """Populate `url`, serve it and time `moves` moves; returns a table row."""
    print(f"{label}: preparing", file=sys.stderr)
    guid, rooms = populate(url)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    proc, base = start_gunicorn("app:create_app()", env)
    try:
        client = requests.Session()
        client.headers["Sec-Fetch-Site"] = "same-origin"
        signed_in = client.post(
            f"{base}/login", data={"email": EMAIL, "password": PASSWORD}, allow_redirects=False
        )
        assert signed_in.status_code == 302, signed_in.text[:200]
        url_of = f"{base}/api/v1/sessions/{guid}"
        etag = client.get(url_of).headers["ETag"]
        timings = []
        for n in range(moves + 10):
            started = time.perf_counter()
            answer = client.patch(
                url_of, json={"room": rooms[n % 2]}, headers={"If-Match": etag}, timeout=30
            )
            elapsed = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, answer.text[:300]
            etag = answer.headers["ETag"]
            if n >= 10:  # the first few warm up each worker's caches and connections
                timings.append(elapsed)
    finally:
        proc.terminate()
        proc.wait()
    from sqlalchemy import create_engine, func, select

    from companion.notify.models import Notification

    engine = create_engine(url)
    with engine.connect() as conn:
        alerts = conn.execute(select(func.count()).select_from(Notification)).scalar_one()
    engine.dispose()
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, round(len(timings) * 0.99) - 1)]
    print(f"  {moves} moves, {alerts} change alerts written", file=sys.stderr)
    worst = max(timings)
    return f"| {label} | {STARS:,} | {moves} | {p50:.1f} | {p99:.1f} | {worst:.1f} | {alerts} |"


def main() -> None:
    """Run on SQLite, and on PostgreSQL when a URL is given or .ci/postgres.sh can start one."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--postgres", help="a PostgreSQL URL for a database that may be wiped")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    sqlite_file = RESULTS / "edit.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    rows = [measure("SQLite", f"sqlite:///{sqlite_file}", args.moves)]
    postgres = args.postgres or _bench_postgres()
    if postgres:
        rows.append(measure("PostgreSQL", postgres, args.moves))
    report = "\n".join(
        [
            "Moving a starred session (PATCH with If-Match, one client, one move at a time), "
            "gunicorn 2 workers:",
            "",
            "| database | stars on it | moves | p50 ms | p99 ms | max ms | change alerts |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    (RESULTS / "edit.md").write_text(report + "\n")
    print(report)


if __name__ == "__main__":
    main()
