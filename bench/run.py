"""Throughput and latency of the public pages under gunicorn (2 workers), measured with wrk.

    make bench                      # or: .venv/bin/python bench/run.py [--duration 10]

Builds a fresh SQLite database with the demo (149 sessions) and a generated 1,000-session
conference, starts gunicorn with 2 workers on a free loopback port, and drives it with wrk
(4 connections, 2 threads) per scenario; also measures a bare Flask "hello" the same way, and the
gzipped weight of the programme day page with its CSS and JS. Writes bench/results/latest.md.
Only loopback is used; every run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    BIN,
    CONNECTIONS,
    RESULTS,
    ROOT,
    THREADS,
    fetch,
    start_gunicorn,
    worker_rss_mib,
    wrk,
)


def prepare_database(path: Path) -> str:
    """A fresh database with the demo and a 1,000-session conference."""
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    env = {**os.environ, "DATABASE_URL": url}
    for command in (["init-db"], ["load-demo"], ["load-synthetic", "--sessions", "1000"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "app", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return url


def make_feed_user(url: str, stars: int = 30) -> str:
    """A user with `stars` starred demo sessions and a calendar feed; returns the feed's path."""
    import random

    from sqlalchemy import select

    sys.path.insert(0, str(ROOT))
    from app import create_app
    from companion.accounts.models import FeedToken, User
    from companion.agenda.models import Star
    from companion.db import get_database_of
    from companion.programme.models import Conference, Talk

    app = create_app({"DATABASE_URL": url})
    with get_database_of(app).sessionmaker() as db:
        talks = list(
            db.execute(
                select(Talk)
                .join(Conference)
                .where(Conference.slug == "qcon-london-2020", Talk.kind != "break")
            ).scalars()
        )
        user = User(name="Feed reader")
        db.add(user)
        db.flush()
        for talk in random.Random(3).sample(talks, stars):
            star = Star(user_id=user.id, talk_id=talk.id)
            star.remember(talk)
            db.add(star)
        db.add(FeedToken(user_id=user.id, token="bench-feed-token"))
        db.commit()
    get_database_of(app).engine.dispose()
    return "/feeds/bench-feed-token.ics"


def main() -> None:
    """Run every scenario and write the results table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = prepare_database(RESULTS / "bench.db")
    feed_path = make_feed_user(url)
    rows: list[tuple[str, str, dict[str, float]]] = []
    gz = {"Accept-Encoding": "gzip"}

    hello, hello_base = start_gunicorn("bench.hello:app", dict(os.environ))
    try:
        rows.append(("bare Flask hello (ceiling)", "200", wrk(hello_base + "/", args.duration, {})))
    finally:
        hello.terminate()
        hello.wait()

    sizes: dict[str, int] = {}
    for cache_label, cache_size in (("cached", "512"), ("no page cache", "0")):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PAGE_CACHE_SIZE": cache_size,
            "SECRET_KEY": "bench",
        }
        proc, base = start_gunicorn("app:create_app()", env)
        try:
            for conf, day, label in (
                ("qcon-london-2020", "2020-03-02", "demo, 149"),
                ("synthetic-1000", "2030-05-06", "1,000"),
            ):
                doc = fetch(f"{base}/api/v1/conferences/{conf}/programme")
                sessions = json.loads(doc[2])["sessions"]
                guid = sessions[len(sessions) // 2]["guid"]
                pages = {
                    "programme day page": f"{base}/{conf}/programme/{day}/",
                    "session page": f"{base}/{conf}/sessions/{guid}/",
                    "programme JSON": f"{base}/api/v1/conferences/{conf}/programme",
                    "programme calendar (schedule.ics)": f"{base}/{conf}/schedule.ics",
                }
                if conf == "qcon-london-2020":
                    pages["private feed, 30 stars"] = f"{base}{feed_path}"
                if cache_label == "cached":  # search is never page-cached: measure it once
                    search_url = f"{base}/{conf}/search?q=microservices+lessons"
                    rows.append(
                        (f"search ({label} sessions)", "200", wrk(search_url, args.duration, gz))
                    )
                for name, page_url in pages.items():
                    _, headers, body = fetch(page_url, gz)
                    rows.append(
                        (
                            f"{name} ({label} sessions, {cache_label})",
                            "200",
                            wrk(page_url, args.duration, gz),
                        )
                    )
                    if cache_label == "cached":
                        sizes[f"{name} ({label})"] = len(body)
                        rows.append(
                            (
                                f"{name} ({label} sessions)",
                                "304",
                                wrk(
                                    page_url,
                                    args.duration,
                                    {**gz, "If-None-Match": headers["ETag"]},
                                ),
                            )
                        )
            if cache_label == "cached":
                memory = worker_rss_mib(proc)
                page = fetch(f"{base}/qcon-london-2020/programme/2020-03-02/")[2].decode()
                for asset in re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js)[^"]*)"', page):
                    sizes[asset.split("?")[0]] = len(gzip.compress(fetch(base + asset)[2]))
        finally:
            proc.terminate()
            proc.wait()

    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores: gunicorn "
        f"2 workers, wrk {THREADS} threads / {CONNECTIONS} connections, {args.duration} s "
        "each, loopback, gzip accepted.",
        "",
        "| scenario | answer | requests/s | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {status} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} |"
        for name, status, r in rows
    ]
    lines += ["", "| transferred (gzip) | bytes |", "|---|---:|"]
    lines += [f"| {name} | {size:,} |" for name, size in sizes.items()]
    day_total = sizes["programme day page (demo, 149)"] + sum(
        v for k, v in sizes.items() if k.startswith("/static/")
    )
    lines += [f"| programme day page + CSS + JS (demo) | {day_total:,} |"]
    lines += [
        "",
        "Resident memory of each gunicorn worker after the cached runs: "
        + ", ".join(f"{m:.0f} MiB" for m in memory)
        + ".",
    ]
    report = "\n".join(lines) + "\n"
    (RESULTS / "latest.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
