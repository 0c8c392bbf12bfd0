"""Starring under load: PUT/DELETE /api/v1/me/stars/<guid> with gunicorn (2 workers) and wrk,
on SQLite and on PostgreSQL, with 10,000 users and 100,000 stars already in the database.

    make bench          # runs this after bench/run.py
    .venv/bin/python bench/stars.py [--duration 10] [--postgres URL]

Each request is a different signed-in user (real Flask-Login remember cookies, made with the
app's own secret key) starring or unstarring a demo session, as a phone does.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import RESULTS, ROOT, flask_commands, start_gunicorn, wrk

USERS = 10_000
STARS_PER_USER = 10
COOKIE_USERS = 2_000  # users whose cookies the load script rotates through
SECRET = "bench-secret-key"


def populate(url: str) -> tuple[list[str], list[str]]:
    """Migrate, load the demo, add the users, their sessions and stars; return cookies and guids."""
    flask_commands(url, ["init-db"], ["load-demo"], secret=SECRET)
    from flask_login.utils import encode_cookie
    from sqlalchemy import func, insert, select

    from app import create_app
    from companion.accounts.models import LoginSession, User, token_hash
    from companion.agenda.models import Star
    from companion.db import get_database_of
    from companion.programme.models import Talk

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    engine = get_database_of(app).engine
    rng = random.Random(7)
    with engine.begin() as conn:
        talks = conn.execute(
            select(
                Talk.id,
                Talk.guid,
                Talk.start.label("start"),
                Talk.end.label("end"),
                Talk.room_id,
                Talk.status,
            ).where(Talk.kind != "break")
        ).all()
        if conn.execute(select(func.count(User.id))).scalar_one() < USERS:
            conn.execute(
                insert(User), [{"name": f"Bench {n}", "reminder_minutes": 10} for n in range(USERS)]
            )
        user_ids = list(conn.execute(select(User.id).order_by(User.id).limit(USERS)).scalars())
        tokens = [f"bench-token-{uid}-{rng.getrandbits(64):016x}" for uid in user_ids]
        conn.execute(
            insert(LoginSession),
            [
                {"user_id": uid, "token_hash": token_hash(tok)}
                for uid, tok in zip(user_ids, tokens, strict=True)
            ],
        )
        rows = []
        for uid in user_ids:
            for talk in rng.sample(talks, STARS_PER_USER):
                rows.append(
                    {
                        "user_id": uid,
                        "talk_id": talk.id,
                        "seen_start": talk.start,
                        "seen_end": talk.end,
                        "seen_room_id": talk.room_id,
                        "seen_status": talk.status,
                    }
                )
        conn.execute(
            insert(Star).prefix_with("OR IGNORE" if url.startswith("sqlite") else ""), rows
        )
        stars = conn.execute(select(func.count()).select_from(Star)).scalar_one()
    with app.test_request_context():
        cookies = [encode_cookie(token) for token in tokens[:COOKIE_USERS]]
    engine.dispose()
    print(f"  {len(user_ids):,} users, {stars:,} stars", file=sys.stderr)
    return cookies, [t.guid for t in talks]


def lua_script(cookies: list[str], guids: list[str], path: Path) -> Path:
    """A wrk script: each request a random user PUTs or DELETEs a random session's star."""
    quoted = ",".join(f'"{c}"' for c in cookies)
    guid_list = ",".join(f'"{g}"' for g in guids)
    path.write_text(f"""
local cookies = {{{quoted}}}
local guids = {{{guid_list}}}
local n = 0
math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16))
request = function()
  n = n + 1
  local method = (n % 2 == 0) and "DELETE" or "PUT"
  local headers = {{}}
  headers["Cookie"] = "cc_remember=" .. cookies[math.random(#cookies)]
  headers["Sec-Fetch-Site"] = "same-origin"
  return wrk.format(method, "/api/v1/me/stars/" .. guids[math.random(#guids)], headers)
end
""")
    return path


def measure(label: str, url: str, seconds: int) -> list[str]:
    """Populate `url`, serve it, load it; return table rows."""
    print(f"{label}: preparing", file=sys.stderr)
    cookies, guids = populate(url)
    script = lua_script(cookies, guids, RESULTS / f"stars-{label}.lua")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    proc, base = start_gunicorn("app:create_app()", env)
    try:
        result = wrk(base + "/", seconds, {}, script=script)
    finally:
        proc.terminate()
        proc.wait()
    return [f"| {label} | {result['rps']:,.0f} | {result['p50']:.2f} | {result['p99']:.2f} |"]


def main() -> None:
    """Run on SQLite, and on PostgreSQL when a URL is given or .ci/postgres.sh can start one."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--postgres", help="a PostgreSQL URL for a database that may be wiped")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    sqlite_file = RESULTS / "stars.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
    rows = measure("SQLite", f"sqlite:///{sqlite_file}", args.duration)
    postgres = args.postgres or _bench_postgres()
    if postgres:
        rows += measure("PostgreSQL", postgres, args.duration)
    report = (
        "\n".join(
            [
                f"Star/unstar: {USERS:,} users and {USERS * STARS_PER_USER:,} stars in the "
                "database, "
                f"gunicorn 2 workers, wrk 2 threads / 4 connections, {args.duration} s.",
                "",
                "| database | requests/s | p50 ms | p99 ms |",
                "|---|---:|---:|---:|",
                *rows,
            ]
        )
        + "\n"
    )
    (RESULTS / "stars.md").write_text(report)
    print(report)


def _bench_postgres() -> str | None:
    """A fresh companion_bench database on the tests' private cluster, if it can be started."""
    started = subprocess.run([str(ROOT / ".ci" / "postgres.sh")], capture_output=True, text=True)
    if started.returncode != 0:
        print("PostgreSQL not available: measuring SQLite only.", file=sys.stderr)
        return None
    test_url = started.stdout.strip()
    from sqlalchemy import create_engine, text

    admin = create_engine(test_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS companion_bench"))
        conn.execute(text("CREATE DATABASE companion_bench"))
    admin.dispose()
    return test_url.rsplit("/", 1)[0] + "/companion_bench"


if __name__ == "__main__":
    main()
