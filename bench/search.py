"""Search latency at 1,000 and 10,000 sessions: the old in-memory scan against the new engines
(SQLite FTS5; PostgreSQL tsvector + pg_trgm with --postgres), the search function and the HTTP
endpoint (the WSGI app through Flask's client, the answer cache emptied before each request),
what one edit costs the index, and the offline index (MiniSearch in Node, from the programme
JSON a phone holds).

    make bench          # runs this too
    .venv/bin/python bench/search.py [--repeats 5] [--sizes 1000,10000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench-secret-key")
os.environ["RENDER_AFTER_EDIT"] = "0"
os.environ["LIVE_URL"] = "off"

import search_scan
from common import RESULTS

ROOT = Path(__file__).resolve().parent.parent
#: What people type: a common word (1 session in 20 has it), a two-word query, a half-typed
#: word, a misspelt one, a speaker's first name, a rare exact title.
QUERIES = ["kafka", "kafka lessons", "observab", "microservises", "ada", "session 777"]


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 2),
    }


def _time(work: Callable[[str], Any], repeats: int) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        for query in QUERIES:
            started = time.perf_counter()
            work(query)
            samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def measure(url: str, sessions: int, repeats: int) -> dict[str, Any]:
    """Load a synthetic programme of `sessions` into `url`, then time every way of searching."""
    from sqlalchemy import select

    from app import create_app
    from companion.caching import reset_caches
    from companion.cli import upgrade_database
    from companion.db import session
    from companion.demo.data import synthetic_data
    from companion.programme.models import Talk
    from companion.programme.operations import create_conference_from_data
    from companion.search import queries

    upgrade_database(url)
    app = create_app({"DATABASE_URL": url, "RENDER_AFTER_EDIT": False})
    slug = f"bench-{sessions}"
    result: dict[str, Any] = {"sessions": sessions}
    with app.app_context():
        started = time.perf_counter()
        conference = create_conference_from_data(synthetic_data(slug=slug, sessions=sessions))
        session.commit()
        result["load_s"] = round(time.perf_counter() - started, 2)
        entries = search_scan.build(session, conference.id)
        result["old_scan"] = _time(lambda q: search_scan.scan(entries, q), repeats)
        queries.search(conference, "warm")
        result["engine"] = _time(lambda q: queries.search(conference, q), repeats)
        result["hits"] = {q: len(queries.search(conference, q).sessions) for q in QUERIES}
        result["corrected"] = queries.search(conference, "microservises").corrected
        talk = (
            session.execute(select(Talk).where(Talk.conference_id == conference.id))
            .scalars()
            .first()
        )
        assert talk is not None
        edits = []
        for n in range(repeats * 4):
            started = time.perf_counter()
            talk.title = f"Renamed session {n}"
            session.flush()
            edits.append(time.perf_counter() - started)
        session.commit()
        result["edit_flush"] = _percentiles(edits)
        programme = app.test_client().get(f"/api/v1/conferences/{slug}/programme").data
    client = app.test_client()

    def http(query: str) -> None:
        reset_caches(app)
        response = client.get(f"/api/v1/conferences/{slug}/search", query_string={"q": query})
        assert response.status_code == 200, response.text

    result["http"] = _time(http, repeats)
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as handle:
        handle.write(programme)
    try:
        node = subprocess.run(
            ["node", str(ROOT / "bench" / "search_offline.mjs"), handle.name, *QUERIES],
            capture_output=True,
            text=True,
            check=True,
        )
        result["offline"] = json.loads(node.stdout)
    except (OSError, subprocess.CalledProcessError) as error:
        result["offline"] = {"error": str(error), "stderr": getattr(error, "stderr", "")}
    finally:
        os.unlink(handle.name)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", ""))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    report: dict[str, list[dict[str, Any]]] = {"sqlite": [], "postgresql": []}
    with tempfile.TemporaryDirectory() as folder:
        for sessions in sizes:
            url = f"sqlite:///{folder}/search-{sessions}.db"
            report["sqlite"].append(measure(url, sessions, args.repeats))
    if args.postgres:
        from sqlalchemy import create_engine, text

        for sessions in sizes:
            engine = create_engine(args.postgres)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
            report["postgresql"].append(measure(args.postgres, sessions, args.repeats))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "search.json").write_text(json.dumps(report, indent=2))
    print(
        "database   sessions  old scan p50/p99  engine p50/p99  HTTP p50/p99  edit p50  "
        "offline build / index JSON"
    )
    for database, rows in report.items():
        for row in rows:
            off = row["offline"]
            print(
                f"{database:<10} {row['sessions']:>8}  "
                f"{row['old_scan']['p50_ms']:>6} / {row['old_scan']['p99_ms']:<7} "
                f"{row['engine']['p50_ms']:>6} / {row['engine']['p99_ms']:<7} "
                f"{row['http']['p50_ms']:>6} / {row['http']['p99_ms']:<7} "
                f"{row['edit_flush']['p50_ms']:>6}   "
                f"{off.get('build_ms', 0):.0f} ms / {off.get('programme_bytes', 0)} B "
                f"({off.get('programme_gzip_bytes', 0)} B gzip)"
            )


if __name__ == "__main__":
    main()
