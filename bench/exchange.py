"""Schedule import and export: seconds and peak memory (tracemalloc).

- import of 36C3 (1,351 events, frab XML and schedule.json): read + plan + apply + commit into a
  fresh database, then the re-import that finds nothing to change;
- export of a generated 1,000-session conference as schedule.xml and schedule.json: an uncached
  render through the app (median of 7), the cached answer and the 304.

SQLite by default (the embedded setup); BENCH_DATABASE_URL=postgresql+psycopg://… runs it on
PostgreSQL (the database is emptied first). Results: stdout and bench/results/exchange.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-secret-not-for-production")

from sqlalchemy import create_engine, text  # noqa: E402

from app import create_app  # noqa: E402
from companion.caching import reset_caches  # noqa: E402
from companion.cli import upgrade_database  # noqa: E402
from companion.db import session  # noqa: E402
from companion.demo.data import synthetic_data  # noqa: E402
from companion.exchange.apply import apply_import  # noqa: E402
from companion.exchange.importer import plan_import, read_schedule  # noqa: E402
from companion.programme.operations import create_conference_from_data  # noqa: E402
from companion.programme.queries import conference_by_slug  # noqa: E402

DATA = ROOT / "tests" / "data" / "schedules"
RESULTS = ROOT / "bench" / "results"


def measure(
    work: Callable[[], Any], *, reset: Callable[[], Any] | None = None
) -> tuple[float, float]:
    """(seconds, peak MiB) of a call: timed without tracemalloc (it slows Python down), then
    (after `reset`) run again under tracemalloc for the peak."""
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    if reset is not None:
        reset()
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return seconds, peak


def wipe() -> None:
    """Delete every conference (talk guids are unique site-wide)."""
    from sqlalchemy import delete

    from companion.programme.models import Conference

    session.execute(delete(Conference))
    session.commit()
    session.expunge_all()


def import_file(path: Path, slug: str) -> Callable[[], Any]:
    """Import `path` into `slug` and commit, as the CLI does."""

    def work() -> Any:
        schedule = read_schedule(path.read_bytes())
        conference = conference_by_slug(slug)
        plan = plan_import(schedule, conference=conference, slug=slug, timezone="Europe/Berlin")
        apply_import(plan, actor="bench")
        session.commit()
        return plan.diff

    return work


def database_url(folder: str) -> str:
    """A fresh database: BENCH_DATABASE_URL emptied, or SQLite in `folder`."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{folder}/bench.db"
    upgrade_database(url)
    return url


def main() -> None:
    """Run every scenario and print a Markdown table."""
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(folder)
        app = create_app({"DATABASE_URL": url})
        with app.app_context():
            for label, path, slug in (
                (
                    "import 36C3 frab XML (1,351 events), new conference",
                    "giggity__36c3_merged.xml",
                    "c36-xml",
                ),
                ("re-import the same file (no changes)", "giggity__36c3_merged.xml", "c36-xml"),
                (
                    "import 36C3 schedule.json (1,351 events), new conference",
                    "pyfahrplan__36.json",
                    "c36-json",
                ),
            ):
                fresh = not label.startswith("re-import")
                if fresh:
                    wipe()
                seconds, peak = measure(
                    import_file(DATA / path, slug), reset=wipe if fresh else None
                )
                rows.append((label, f"{seconds:.2f} s", f"{peak:.0f} MiB"))
            create_conference_from_data(synthetic_data(slug="synthetic-1000", sessions=1000))
            session.commit()
        client = app.test_client()
        for name in ("schedule.xml", "schedule.json"):
            target = f"/synthetic-1000/{name}"
            times = []
            for _ in range(7):
                reset_caches(app)
                started = time.perf_counter()
                response = client.get(target)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200
            reset_caches(app)
            _, peak = measure(
                lambda target=target: client.get(target), reset=lambda: reset_caches(app)
            )
            size = len(client.get(target).get_data())
            rows.append(
                (
                    f"export {name}, 1,000 sessions, uncached render ({size // 1024} KB)",
                    f"{statistics.median(times) * 1000:.0f} ms",
                    f"{peak:.0f} MiB",
                )
            )
            started = time.perf_counter()
            for _ in range(50):
                response = client.get(target)
            rows.append(
                (f"export {name}, cached", f"{(time.perf_counter() - started) * 20:.1f} ms", "")
            )
            etag = response.headers["ETag"]
            started = time.perf_counter()
            for _ in range(50):
                assert client.get(target, headers={"If-None-Match": etag}).status_code == 304
            rows.append(
                (f"export {name}, 304", f"{(time.perf_counter() - started) * 20:.1f} ms", "")
            )
    database = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    lines = [
        f"| scenario ({database}) | time | peak memory |",
        "|---|---:|---:|",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
    ]
    print("\n".join(lines))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "exchange.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
