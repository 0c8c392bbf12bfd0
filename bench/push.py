"""Fan-out of one change alert to 10,000 push subscriptions, with one worker and with two.

    .venv/bin/python bench/push.py [--subscriptions 10000] [--postgres URL]

Every subscription is real (its own P-256 key pair and auth secret) and every message is
encrypted, VAPID-signed, verified and decrypted by the local push service of the tests
(tests/notify/emulator.py), which runs in this process on loopback. Workers are separate
`flask worker` processes. Reported: deliveries per second and the time until the last arrives.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import BIN, RESULTS, ROOT, flask_commands

SECRET = "bench-secret-key"


def prepare(url: str, count: int, service: object) -> None:
    """Demo, `count` users who starred one session, each with a subscription; then one due
    change alert for that session (the worker fans it out)."""
    flask_commands(url, ["init-db"], ["load-demo"], secret=SECRET)
    from sqlalchemy import insert, select

    from app import create_app
    from companion.accounts.models import User
    from companion.agenda.models import Star
    from companion.db import get_database_of, utcnow
    from companion.notify.models import Notification, PushSubscription
    from companion.programme.models import Talk

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    engine = get_database_of(app).engine
    with engine.begin() as conn:
        talk = conn.execute(
            select(
                Talk.id, Talk.start.label("start"), Talk.end.label("end"), Talk.room_id, Talk.status
            ).where(Talk.title.startswith("Tesla"))
        ).one()
        conn.execute(
            insert(User),
            [
                {
                    "name": f"Fan {n}",
                    "reminder_minutes": 10,
                    "reminders_enabled": False,
                    "changes_enabled": True,
                }
                for n in range(count)
            ],
        )
        users = list(conn.execute(select(User.id).order_by(User.id.desc()).limit(count)).scalars())
        subscriptions = [service.subscribe() for _ in users]  # type: ignore[attr-defined]
        conn.execute(
            insert(PushSubscription),
            [
                {
                    "user_id": uid,
                    "endpoint": s["endpoint"],
                    "p256dh": s["keys"]["p256dh"],
                    "auth": s["keys"]["auth"],
                }
                for uid, s in zip(users, subscriptions, strict=True)
            ],
        )
        conn.execute(
            insert(Star),
            [
                {
                    "user_id": uid,
                    "talk_id": talk.id,
                    "seen_start": talk.start,
                    "seen_end": talk.end,
                    "seen_room_id": talk.room_id,
                    "seen_status": talk.status,
                }
                for uid in users
            ],
        )
        conn.execute(
            insert(Notification).values(
                key=f"change:{talk.id}:bench",
                kind="change",
                talk_id=talk.id,
                state="due",
                due_at=utcnow(),
                title="Changed: Tesla Virtual Power Plant",
                body="Moved to Churchill Auditorium",
                url="/qcon-london-2020/",
            )
        )
    engine.dispose()


def run(url: str, count: int, workers: int) -> dict[str, float]:
    """Serve the push service, start `workers` worker processes, wait for every delivery."""
    from app import create_app
    from tests.notify.emulator import PushService, trusted

    vapid_public = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET}).config[
        "VAPID_PUBLIC_KEY"
    ]
    service = PushService(vapid_public)
    try:
        prepare(url, count, service)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, **trusted(service)}
        started = time.monotonic()
        procs = [
            subprocess.Popen(
                [
                    str(BIN / "flask"),
                    "--app",
                    "app",
                    "worker",
                    "--concurrency",
                    "32",
                    "--batch",
                    "500",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            deadline = started + 600
            while len(service.received) < count and time.monotonic() < deadline:
                time.sleep(0.05)
            elapsed = time.monotonic() - started
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait()
        return {
            "delivered": len(service.received),
            "seconds": elapsed,
            "per_second": len(service.received) / elapsed,
            "rejected": len(service.rejected),
        }
    finally:
        service.close()


def main() -> None:
    """SQLite with one and with two workers; PostgreSQL too when a URL is given."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose database may be wiped")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    for workers in (1, 2):
        targets = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
        for label, url in targets:
            if url is None:
                path = RESULTS / "push.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                url = f"sqlite:///{path}"
            else:
                _reset_postgres(url)
            result = run(url, args.subscriptions, workers)
            rows.append(
                f"| {label} | {workers} | {result['delivered']:,.0f} | "
                f"{result['seconds']:.1f} | {result['per_second']:,.0f} | "
                f"{result['rejected']:.0f} |"
            )
            print(rows[-1], file=sys.stderr)
    report = (
        "\n".join(
            [
                f"Fan-out of one change alert to {args.subscriptions:,} subscriptions (local push "
                "service: VAPID checked, every body decrypted).",
                "",
                "| database | workers | delivered | s to the last | deliveries/s | rejected |",
                "|---|---:|---:|---:|---:|---:|",
                *rows,
            ]
        )
        + "\n"
    )
    (RESULTS / "push.md").write_text(report)
    print(report)


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


if __name__ == "__main__":
    main()
