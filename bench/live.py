"""What one live-events stream node serves (issue 16): idle connections held and their memory,
delivery latency from an edit's commit to the event at the client, and events per second to
1,000 clients, on SQLite and PostgreSQL.

    make bench                       # runs this too
    .venv/bin/python bench/live.py   [--quick] [--postgres URL]

Everything is real and on loopback: the node is `flask --app app stream` in a subprocess (as
tests/streams.py starts it), on a demo database; clients are bench/sse_clients.py processes
(raw asyncio sockets, the GET an EventSource sends, each process under its descriptor limit,
each on source addresses of its own in 127.0.0.0/8); edits are ORM commits in this process, as
bench/edit.py's operations do, timed with time.time() right after commit returns. The node's
figures come from its GET /api/v1/live/status and /proc/<pid>. The tables land in
bench/results/live.md (raw figures in live.json); docs/benchmarks.md holds the run of record.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import RESULTS, ROOT, flask_commands
from sqlalchemy import create_engine, func, select, text
from sse_clients import Fleet, cpu_of, kernel, machine_busy, slab_bytes

from app import create_app
from companion.db import get_database_of
from companion.live.models import LiveEvent
from companion.live.record import publish
from companion.programme.models import Conference, Talk
from tests.streams import StreamNode

SLUG = "qcon-london-2020"
SECRET = "bench-live"
#: Events a second committed in the throughput runs (None: as fast as the database goes).
RATES = (50, 100, 200, 400, None)
#: Edits sent to the idle streams, one at a time.
EDITS_IDLE = 5


def start_node(url: str, poll_ms: int = 50) -> StreamNode:
    """A stream node on `url` that lets one address hold every stream of the benchmark."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = {"LIVE_POLL_MS": str(poll_ms), "LIVE_MAX_PER_ADDRESS": "100000", "SECRET_KEY": SECRET}
    return StreamNode(url, RESULTS / "live-node.log", **env).start()


def cpu_seconds(node: StreamNode) -> float:
    """The node's user + system CPU so far."""
    assert node.process is not None
    return cpu_of(node.process.pid)


def descriptors(node: StreamNode) -> int:
    """Descriptors the node has open."""
    assert node.process is not None
    return len(os.listdir(f"/proc/{node.process.pid}/fd"))


class Editor:
    """A host's edits, committed through the ORM in this process."""

    def __init__(self, url: str) -> None:
        self.app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": SECRET, "RENDER_AFTER_EDIT": False}
        )
        self.db = get_database_of(self.app)
        with self.db.sessionmaker() as db:
            self.conference_id = db.execute(
                select(Conference.id).where(Conference.slug == SLUG)
            ).scalar_one()
            self.talks = list(
                db.execute(
                    select(Talk.id)
                    .where(Talk.conference_id == self.conference_id)
                    .order_by(Talk.id)
                ).scalars()
            )
        self.moves = 0

    def move(self) -> tuple[int, float]:
        """Retime one session by 5 minutes (later, or back); its event id and commit time."""
        n, self.moves = self.moves, self.moves + 1
        shift = timedelta(minutes=5 if (n // len(self.talks)) % 2 == 0 else -5)
        with self.app.app_context(), self.db.sessionmaker() as db:
            talk = db.get(Talk, self.talks[(37 * n + 11) % len(self.talks)])
            assert talk is not None
            talk.start += shift
            talk.end += shift
            db.commit()
            committed = time.time()
            event_id = db.execute(select(func.max(LiveEvent.id))).scalar_one()
        return int(event_id), committed

    def flood(self, seconds: float, rate: float | None) -> tuple[dict[int, float], int]:
        """Publish change events, one commit each, `rate` a second or as fast as the database
        takes them, copying the newest real event's data; each id's commit time, and the
        size of one event's data."""
        committed: dict[int, float] = {}
        with self.app.app_context(), self.db.sessionmaker() as db:
            data = db.execute(select(LiveEvent.data).order_by(LiveEvent.id.desc())).scalar()
            revision = db.get(Conference, self.conference_id).revision  # type: ignore[union-attr]
            started = time.monotonic()
            while (now := time.monotonic()) < started + seconds:
                if rate is not None and now < started + len(committed) / rate:
                    time.sleep(started + len(committed) / rate - now)
                publish(db, self.conference_id, "change", revision, data or {})
                db.commit()
                at = time.time()
                committed[int(db.execute(select(func.max(LiveEvent.id))).scalar_one())] = at
        return committed, len(json.dumps(data, separators=(",", ":")))

    def close(self) -> None:
        """Let go of the database."""
        self.db.engine.dispose()


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    return values[max(0, min(len(values) - 1, round(share * len(values) + 0.5) - 1))]


def idle(url: str, editor: Editor, total: int, processes: int) -> dict[str, Any]:
    """Hold `total` idle streams; memory per stream, and one edit delivered to all of them."""
    node = start_node(url)
    try:
        before = node.status()
        fds, slabs = descriptors(node), slab_bytes()
        fleet = Fleet(node.port, total, processes, SLUG)
        time.sleep(2)
        after = node.status()
        slabs = slab_bytes() - slabs
        held_kernel = kernel()
        fds_held = descriptors(node)
        committed: dict[int, float] = {}
        for _ in range(EDITS_IDLE):  # one at a time, each given time to reach every stream
            event_id, at = editor.move()
            committed[event_id] = at
            time.sleep(1.5)
        still_open, ids, _ = fleet.arrivals()
        fleet.quit()
        reached = [ids.get(event_id, [0, 0.0, 0.0]) for event_id in committed]
        to_last = sorted(
            (r[2] - committed[i]) * 1000 for i, r in zip(committed, reached, strict=True)
        )
        grown = after["rss_bytes"] - before["rss_bytes"]
        return {
            "asked": total,
            "processes": processes,
            "held": fleet.held,
            "failed": fleet.failed,
            "open_seconds": fleet.open_seconds,
            "node_connections": after["connections"],
            "rss_before_mib": before["rss_bytes"] / 2**20,
            "rss_after_mib": after["rss_bytes"] / 2**20,
            "bytes_per_connection": grown / max(1, after["connections"]),
            # Loopback: both ends of every stream are sockets of this kernel.
            "kernel_bytes_per_socket": slabs / max(1, 2 * fleet.held),
            "fds_before": fds,
            "fds_held": fds_held,
            "edits": len(committed),
            "edit_delivered": sum(int(r[0]) for r in reached),
            "edit_all_ms_median": to_last[len(to_last) // 2],
            "edit_all_ms_max": to_last[-1],
            "still_open": still_open,
            "dropped": after["dropped"],
            "kernel": held_kernel,
        }
    finally:
        node.stop()


def latency(url: str, editor: Editor, poll_ms: int, clients: int, edits: int) -> dict[str, Any]:
    """`edits` moves 200 ms apart, each event's arrival at each of `clients` streams."""
    node = start_node(url, poll_ms)
    try:
        fleet = Fleet(node.port, clients, 2, SLUG, record=True)
        time.sleep(1)
        fleet.ask("forget")
        cpu = cpu_seconds(node)
        started = time.monotonic()
        committed: dict[int, float] = {}
        for n in range(edits):
            event_id, at = editor.move()
            committed[event_id] = at
            time.sleep(max(0.0, started + 0.2 * (n + 1) - time.monotonic()))
        time.sleep(2)
        cpu = cpu_seconds(node) - cpu
        wall = time.monotonic() - started
        still_open, _ids, times = fleet.arrivals()
        fleet.quit()
        delays = sorted(
            (at - committed[event_id]) * 1000
            for event_id, arrivals in times.items()
            if event_id in committed
            for at in arrivals
        )
        return {
            "poll_ms": poll_ms,
            "clients": fleet.held,
            "edits": edits,
            "expected": edits * fleet.held,
            "delivered": len(delays),
            "still_open": still_open,
            "p50": percentile(delays, 0.50),
            "p90": percentile(delays, 0.90),
            "p99": percentile(delays, 0.99),
            "max": delays[-1],
            "node_cpu_share": cpu / wall,
        }
    finally:
        node.stop()


def throughput(
    url: str, editor: Editor, clients: int, seconds: float, rate: float | None
) -> dict[str, Any]:
    """Events committed for `seconds` (`rate` a second, or as fast as they go) to `clients`."""
    node = start_node(url)
    try:
        fleet = Fleet(node.port, clients, 2, SLUG)
        time.sleep(1)
        fleet.ask("forget")
        before = node.status()
        cpu, clients_cpu, busy = cpu_seconds(node), fleet.cpu(), machine_busy()
        started = time.time()
        committed, size = editor.flood(seconds, rate)
        written = time.time() - started
        last = max(committed)
        ids: dict[int, list[float]] = {}
        for _ in range(60):  # until every open stream has the last event, at most 30 s
            still_open, ids, _ = fleet.arrivals()
            if ids.get(last, [0])[0] >= still_open:
                break
            time.sleep(0.5)
        cpu, clients_cpu = cpu_seconds(node) - cpu, fleet.cpu() - clients_cpu
        busy = machine_busy() - busy
        waited = time.time() - started
        after = node.status()
        fleet.quit()
        mine = [v for k, v in ids.items() if k in committed]
        deliveries = sum(int(v[0]) for v in mine)
        wall = max(v[2] for v in mine) - started
        everyone = still_open == fleet.held and ids.get(last, [0])[0] == fleet.held
        return {
            "rate": rate,
            "event_bytes": size,
            "clients": fleet.held,
            "events": len(committed),
            "commits_per_s": len(committed) / written,
            "deliveries": deliveries,
            "expected": len(committed) * fleet.held,
            "deliveries_per_s": deliveries / wall,
            "lag_at_end_ms": (ids[last][2] - committed[last]) * 1000 if everyone else None,
            "still_open": still_open,
            "dropped": after["dropped"] - before["dropped"],
            "node_cpu_share": cpu / wall,
            "clients_cpu_share": clients_cpu / wall,
            "machine_cpu_share": busy / waited / (os.cpu_count() or 1),
        }
    finally:
        node.stop()


def demo_database(url: str) -> str:
    """An empty database at `url` with the demo loaded."""
    flask_commands(url, ["init-db"], ["load-demo"], secret=SECRET)
    return url


def postgres_database(given: str | None) -> str | None:
    """A fresh bench_live database on the tests' private cluster (or `given`)."""
    if given:
        return given
    started = subprocess.run([str(ROOT / ".ci" / "postgres.sh")], capture_output=True, text=True)
    if started.returncode != 0:
        print("PostgreSQL not available: measuring SQLite only.", file=sys.stderr)
        return None
    server = started.stdout.strip().rsplit("/", 1)[0]
    admin = create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS bench_live WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE bench_live"))
    admin.dispose()
    return server + "/bench_live"


def main() -> None:
    """Run every measurement and write bench/results/live.md and live.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer streams, edits and seconds")
    parser.add_argument("--postgres", help="a PostgreSQL URL for a database that may be wiped")
    args = parser.parse_args()
    quick = args.quick
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    sizes = [1000] if quick else [10_000, 20_000]
    clients, edits, seconds = (200, 20, 3.0) if quick else (1000, 60, 10.0)
    results: dict[str, Any] = {"nproc": os.cpu_count(), "nofile_hard": hard, "quick": quick}
    with tempfile.TemporaryDirectory() as folder:
        sqlite = demo_database(f"sqlite:///{folder}/live.db")
        postgres = postgres_database(args.postgres)
        databases = {"SQLite": sqlite} | (
            {"PostgreSQL": demo_database(postgres)} if postgres else {}
        )
        editor = Editor(sqlite)
        results["idle"] = []
        for size in sizes:
            # The node needs one descriptor per stream plus its own few: ask for what fits.
            asked = min(size, hard - 64)
            print(f"idle: {asked} streams", file=sys.stderr)
            results["idle"].append(idle(sqlite, editor, asked, max(2, asked // 4000)))
        editor.close()
        results["latency"], results["throughput"] = [], []
        for label, url in databases.items():
            editor = Editor(url)
            for poll in (50, 10) if label == "SQLite" else (50,):
                print(f"latency: {label}, poll {poll} ms", file=sys.stderr)
                row = latency(url, editor, poll, clients, edits)
                results["latency"].append({"database": label, **row})
            for rate in RATES:
                print(f"throughput: {label}, {rate or 'max'} events/s", file=sys.stderr)
                row = throughput(url, editor, clients, seconds, rate)
                results["throughput"].append({"database": label, **row})
            editor.close()
    (RESULTS / "live.json").write_text(json.dumps(results, indent=1))
    report = render(results)
    (RESULTS / "live.md").write_text(report)
    print(report)


def render(results: dict[str, Any]) -> str:
    """The tables of a run, as docs/benchmarks.md shows them."""
    lines = [
        "Idle streams held by one node (SQLite, demo database):",
        "",
        "| asked | held | client processes | opened in | node RSS before → after | per stream "
        f"| kernel, per socket | node fds | {EDITS_IDLE} edits: deliveries "
        "| commit → last stream, median / max | dropped |",
        "|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["idle"]:
        lines.append(
            f"| {r['asked']:,} | {r['held']:,} | {r['processes']} | {r['open_seconds']:.1f} s "
            f"| {r['rss_before_mib']:.1f} → {r['rss_after_mib']:.1f} MiB "
            f"| {r['bytes_per_connection'] / 1024:.1f} KiB "
            f"| {r['kernel_bytes_per_socket'] / 1024:.1f} KiB | {r['fds_held']:,} "
            f"| {r['edit_delivered']:,} / {r['edits'] * r['held']:,} "
            f"| {r['edit_all_ms_median']:.0f} / {r['edit_all_ms_max']:.0f} ms | {r['dropped']} |"
        )
    lines += [
        "",
        "Delivery latency, commit → event at the client (ms):",
        "",
        "| database | poll | clients | edits | delivered / expected | p50 | p90 | p99 | max "
        "| node CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["latency"]:
        poll = f"{r['poll_ms']} ms" if r["database"] == "SQLite" else "NOTIFY"
        lines.append(
            f"| {r['database']} | {poll} | {r['clients']:,} | {r['edits']} "
            f"| {r['delivered']:,} / {r['expected']:,} | {r['p50']:.1f} | {r['p90']:.1f} "
            f"| {r['p99']:.1f} | {r['max']:.1f} | {r['node_cpu_share']:.0%} |"
        )
    lines += [
        "",
        "Events per second to every client (one commit per event; one event's data: "
        f"{results['throughput'][0]['event_bytes']} bytes):",
        "",
        "| database | asked, events/s | clients | events | committed/s | deliveries / expected "
        "| deliveries/s | lag at end (ms) | dropped | node CPU | clients' CPU | machine busy |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["throughput"]:
        lag = "—" if r["lag_at_end_ms"] is None else f"{r['lag_at_end_ms']:.0f}"
        lines.append(
            f"| {r['database']} | {r['rate'] or 'max'} | {r['clients']:,} | {r['events']:,} "
            f"| {r['commits_per_s']:.0f} | {r['deliveries']:,} / {r['expected']:,} "
            f"| {r['deliveries_per_s']:,.0f} | {lag} | {r['dropped']} "
            f"| {r['node_cpu_share']:.0%} | {r['clients_cpu_share']:.0%} "
            f"| {r['machine_cpu_share']:.0%} |"
        )
    for r in results["idle"]:
        lines += ["", f"Kernel with {r['held']:,} streams held:", "", "```"]
        lines += [r["kernel"]["sockstat"], r["kernel"]["ss"], "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
