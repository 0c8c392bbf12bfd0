"""In the room (issue 18): what a new question, an upvote and a three-colour vote cost, each one
short transaction through gunicorn (2 workers), and how fast a new question or upvote reaches
1,000 open screens on one stream node — on SQLite, and PostgreSQL when its test cluster runs.

    make bench                            # runs this too
    .venv/bin/python bench/questions.py   [--quick] [--postgres URL]

Everything is real and on loopback: the app under gunicorn with the demo at 10:40 on its first
day (FIXED_NOW, so sessions are on), the stream node `flask --app app stream`, 1,000 SSE clients
from bench/sse_clients.py. Each write is an HTTP request from a new guest (a new cookie jar: one
person's questions are rate-limited), timed from just before it is sent; "tap → every screen" is
from that instant to the event's arrival at each client. Results: bench/results/questions.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import os

from common import RESULTS, start_gunicorn
from live import SECRET, SLUG, demo_database, percentile, postgres_database, start_node
from sqlalchemy import create_engine, func, select
from sse_clients import Fleet

from companion.live.models import LiveEvent
from companion.programme.models import Talk

NOW = "2020-03-02T10:40:00+00:00"
#: On at NOW (10:20–11:10).
SESSION = "Monolith Decomposition Patterns"
VOTED = "Event Streams as the Source of Truth: Lessons from Five Years of Kafka"


class Guest:
    """One phone: its own cookies, so its first write makes a guest of its own."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def send(self, method: str, path: str, body: Any = None) -> tuple[int, float, float]:
        """The status, when it was sent (time.time()) and how long it took (ms)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
        request.add_header("Sec-Fetch-Site", "same-origin")
        sent, started = time.time(), time.perf_counter()
        try:
            with self.opener.open(request, timeout=10) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as error:
            status = error.code
        return status, sent, (time.perf_counter() - started) * 1000


def summary(values: list[float]) -> dict[str, float]:
    """p50, p90, p99 and max of `values` (ms)."""
    ordered = sorted(values)
    return {
        "p50": percentile(ordered, 0.5),
        "p90": percentile(ordered, 0.9),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1],
    }


def run(url: str, label: str, *, clients: int, questions: int, votes: int) -> dict[str, Any]:
    """Every measurement on one database."""
    engine = create_engine(url)
    with engine.connect() as conn:
        guid = conn.execute(select(Talk.guid).where(Talk.title == SESSION)).scalar_one()
        voted = conn.execute(select(Talk.guid).where(Talk.title == VOTED)).scalar_one()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "COMPANION_NOW": NOW,
        "LIVE_URL": "off",
        "RENDER_AFTER_EDIT": "0",
    }
    gunicorn, base = start_gunicorn("app:create_app()", env)
    node = start_node(url)
    try:
        fleet = Fleet(node.port, clients, 2, SLUG, record=True)
        time.sleep(1)
        fleet.ask("forget")
        sent_at: dict[int, float] = {}
        ask_ms, upvote_ms, vote_ms = [], [], []
        first_id = None
        for n in range(questions):
            status, sent, took = Guest(base).send(
                "POST",
                f"/api/v1/sessions/{guid}/questions",
                {"text": f"Question {n} from the room?"},
            )
            assert status == 201, status
            ask_ms.append(took)
            with engine.connect() as conn:
                event_id = int(conn.execute(select(func.max(LiveEvent.id))).scalar_one())
                if first_id is None:
                    first_id = event_id
                    question_id = conn.execute(
                        select(func.max(LiveEvent.data["id"].as_integer()))
                    ).scalar_one()
            sent_at[event_id] = sent
            time.sleep(0.1)
        asked_events = set(sent_at)
        for _ in range(questions):
            status, sent, took = Guest(base).send("PUT", f"/api/v1/questions/{question_id}/vote")
            assert status == 200, status
            upvote_ms.append(took)
            with engine.connect() as conn:
                sent_at[int(conn.execute(select(func.max(LiveEvent.id))).scalar_one())] = sent
            time.sleep(0.1)
        for n in range(votes):
            colour = ("green", "green", "yellow", "red")[n % 4]
            status, _, took = Guest(base).send(
                "PUT", f"/api/v1/me/votes/{voted}", {"vote": colour, "comment": ""}
            )
            assert status == 201, status
            vote_ms.append(took)
        time.sleep(2)
        still_open, _ids, times = fleet.arrivals()
        fleet.quit()

        def delays(events: set[int]) -> list[float]:
            return [
                (at - sent_at[event_id]) * 1000
                for event_id, arrivals in times.items()
                if event_id in events
                for at in arrivals
            ]

        def to_last(events: set[int]) -> list[float]:
            return [
                (max(times[event_id]) - sent_at[event_id]) * 1000
                for event_id in events
                if times.get(event_id)
            ]

        upvoted = set(sent_at) - asked_events
        return {
            "database": label,
            "clients": fleet.held,
            "still_open": still_open,
            "questions": questions,
            "delivered": sum(len(times.get(e, [])) for e in sent_at),
            "expected": len(sent_at) * fleet.held,
            "ask_ms": summary(ask_ms),
            "upvote_ms": summary(upvote_ms),
            "vote_ms": summary(vote_ms),
            "ask_to_screen_ms": summary(delays(asked_events)),
            "ask_to_last_screen_ms": summary(to_last(asked_events)),
            "upvote_to_screen_ms": summary(delays(upvoted)),
        }
    finally:
        node.stop()
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        engine.dispose()


def render(rows: list[dict[str, Any]]) -> str:
    """The tables of docs/benchmarks.md."""
    lines = [
        "| database | request | p50 | p90 | p99 | max |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        for key, name in (
            ("ask_ms", "ask a question"),
            ("upvote_ms", "upvote"),
            ("vote_ms", "three-colour vote"),
        ):
            figures = " | ".join(f"{row[key][k]:.1f} ms" for k in ("p50", "p90", "p99", "max"))
            lines.append(f"| {row['database']} | {name} | {figures} |")
    lines += [
        "",
        "| database | screens | tap → screen | p50 | p90 | p99 | max | delivered |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for key, name in (
            ("ask_to_screen_ms", "new question, each screen"),
            ("ask_to_last_screen_ms", "new question, the last screen"),
            ("upvote_to_screen_ms", "upvote, each screen"),
        ):
            figures = " | ".join(f"{row[key][k]:.1f} ms" for k in ("p50", "p90", "p99", "max"))
            reached = f"{row['delivered']} of {row['expected']}"
            lines.append(
                f"| {row['database']} | {row['clients']} | {name} | {figures} | {reached} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run on SQLite (and PostgreSQL) and write bench/results/questions.md and .json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="200 screens, fewer writes")
    parser.add_argument("--postgres", help="a PostgreSQL URL for a database that may be wiped")
    args = parser.parse_args()
    clients, questions, votes = (200, 10, 40) if args.quick else (1000, 30, 200)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        databases = {"SQLite": demo_database(f"sqlite:///{folder}/questions.db")}
        postgres = postgres_database(args.postgres)
        if postgres:
            databases["PostgreSQL"] = demo_database(postgres)
        for label, url in databases.items():
            print(f"questions: {label}", file=sys.stderr)
            rows.append(run(url, label, clients=clients, questions=questions, votes=votes))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "questions.json").write_text(json.dumps(rows, indent=1))
    report = render(rows)
    (RESULTS / "questions.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
