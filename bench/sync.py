"""What keeping a phone's offline copy in step costs (issue 15), today's design against the one
before it, measured side by side in one run on one database.

    .venv/bin/python bench/sync.py            # demo, 1,000 sessions, fleet, and 20,000 sessions
    .venv/bin/python bench/sync.py --quick    # without the 20,000-session programme

Before (the design up to issue 15): the service worker fetched every page of the offline list in
full after any edit, and each process rendered pages into a 512-entry cache. Measured with the
same code, the page store switched off and that protocol followed. Now: a phone syncs with one
request for the changes since its revision (patches of the changed pages), a first copy comes in
one bundle, and each revision is rendered once into the store.

In process (the Flask test client): requests, bytes (gzipped, as a phone asks; headers not
counted) and server CPU (`time.process_time`) are exact; no network is involved. The fleet's
before-column is one measured phone-sync times the fleet, since 63 million requests cannot be
run here; the after-column is run in full.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from sqlalchemy import func, select

from app import create_app
from companion.caching import STORE_KEY, page_cache, reset_caches
from companion.cli import upgrade_database
from companion.db import get_database_of
from companion.offline.models import PageBody
from companion.offline.render import render_revision
from companion.programme.models import Conference, Talk

GZIP = {"Accept-Encoding": "gzip"}
DEMO, SYNTHETIC = "qcon-london-2020", "synthetic-1000"


def _apps(url: str) -> tuple[Flask, Flask]:
    config = {"DATABASE_URL": url, "SECRET_KEY": "bench", "RENDER_AFTER_EDIT": False}
    new, old = create_app(config), create_app(config)
    old.extensions[STORE_KEY] = None  # the design before: no page store
    return new, old


def _conference_id(app: Flask, slug: str) -> int:
    with get_database_of(app).sessionmaker() as db:
        return db.execute(select(Conference.id).where(Conference.slug == slug)).scalar_one()


def _move_one(app: Flask, slug: str, nth: int = 0) -> None:
    """A host moves one session by 5 minutes."""
    with get_database_of(app).sessionmaker() as db:
        conference_id = _conference_id(app, slug)
        talks = db.execute(
            select(Talk).where(Talk.conference_id == conference_id).order_by(Talk.id)
        ).scalars()
        talk = list(talks)[(37 * nth + 11) % 149]
        talk.start += timedelta(minutes=5)
        talk.end += timedelta(minutes=5)
        db.commit()


def _pages(app: Flask, slug: str) -> dict[str, str]:
    return dict(app.test_client().get(f"/api/v1/conferences/{slug}/offline").get_json()["pages"])


def _sweep(app: Flask, urls: list[str], held: dict[str, str] | None = None) -> dict[str, float]:
    """One phone asks for every page (with the ETags it holds, if any)."""
    client = app.test_client()
    started = time.process_time()
    bodies = fresh = size = 0
    etags: dict[str, str] = {}
    for url in urls:
        headers = dict(GZIP)
        if held and url in held:
            headers["If-None-Match"] = held[url]
        response = client.get(url, headers=headers)
        etags[url] = response.headers.get("ETag", "")
        if response.status_code == 304:
            fresh += 1
        else:
            bodies += 1
            size += len(response.get_data())
    return {
        "requests": len(urls),
        "bodies": bodies,
        "not_modified": fresh,
        "kib": size / 1024,
        "cpu": time.process_time() - started,
        "etags": etags,  # type: ignore[dict-item]
    }


def _get(app: Flask, url: str) -> tuple[int, float]:
    started = time.process_time()
    response = app.test_client().get(url, headers=GZIP)
    assert response.status_code == 200, (url, response.status_code)
    return len(response.get_data()), time.process_time() - started


def one_edit(new: Flask, old: Flask, slug: str) -> dict[str, Any]:
    """Requests and bytes one phone spends after one moved session."""
    conference_id = _conference_id(new, slug)
    render_revision(new, conference_id)
    before = _pages(new, slug)
    urls = list(before)
    reset_caches(old)
    held = _sweep(old, urls)
    revision = new.test_client().get(f"/api/v1/conferences/{slug}/offline").get_json()["revision"]
    _move_one(new, slug)
    render_revision(new, conference_id)  # what the background does right after the commit
    full = _sweep(old, urls)  # before issue 15: every page again, in full
    revalidated = _sweep(old, urls, held["etags"])  # type: ignore[arg-type]
    size, _ = _get(new, f"/api/v1/conferences/{slug}/offline/changes?since={revision}")
    return {
        "pages": len(urls),
        "before": (full["requests"], full["kib"]),
        "validators": (revalidated["requests"], revalidated["bodies"], revalidated["kib"]),
        "now": (1, size / 1024),
    }


def first_sync(new: Flask, old: Flask, url: str, slug: str) -> dict[str, Any]:
    """One phone's first full copy: bytes, and the server's CPU for it."""
    urls = list(_pages(new, slug))
    reset_caches(old)
    phone1 = _sweep(old, urls)
    phone2 = _sweep(old, urls)  # the next phone: 1,577 pages do not fit 512 entries
    conference_id = _conference_id(new, slug)
    _move_one(new, slug, 1)
    started = time.process_time()
    manifest = render_revision(new, conference_id)
    render_cpu = time.process_time() - started
    assert manifest is not None
    maps = [u for u in manifest.pages if "/venue/floors/" in u]
    size, cpu = _get(new, f"/api/v1/conferences/{slug}/offline/bundle")
    cold, _ = _apps(url)  # another worker: nothing in its memory yet
    _, cold_cpu = _get(cold, f"/api/v1/conferences/{slug}/offline/bundle")
    map_kib = sum(_get(new, u)[0] for u in maps) / 1024
    return {
        "before": (phone1["requests"], phone1["kib"], phone1["cpu"], phone2["cpu"]),
        "now": (1 + len(maps), size / 1024 + map_kib, cpu, cold_cpu),
        "render_cpu": render_cpu,
        "pages": len(urls),
    }


def fleet(new: Flask, slug: str, phones: int, edits: int, per_phone: dict[str, Any]) -> dict:
    """`phones` phones through `edits` edits, each phone syncing after every edit."""
    conference_id = _conference_id(new, slug)
    render_revision(new, conference_id)
    client = new.test_client()
    revision = client.get(f"/api/v1/conferences/{slug}/offline").get_json()["revision"]
    requests = size = 0
    render_cpu = 0.0
    started = time.process_time()
    for edit in range(edits):
        _move_one(new, slug, edit + 2)
        mark = time.process_time()
        render_revision(new, conference_id)
        render_cpu += time.process_time() - mark
        url = f"/api/v1/conferences/{slug}/offline/changes?since={revision}"
        for _ in range(phones):
            response = client.get(url, headers=GZIP)
            requests += 1
            size += len(response.get_data())
        data = response.get_data()
        if response.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        revision = json.loads(data)["revision"]
    total_cpu = time.process_time() - started
    pages, full_kib, _, thrash_cpu = per_phone["before"]
    return {
        "before": (
            phones * edits * pages,
            phones * edits * full_kib / 1024,
            phones * edits * thrash_cpu,
        ),
        "now": (requests, size / 1024 / 1024, total_cpu, render_cpu),
    }


def freshness(url: str, slug: str) -> float:
    """Seconds from an edit's commit until every page of the new revision is in the store,
    with the background renderer of a running app."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    conference_id = _conference_id(app, slug)
    with app.test_request_context():  # as a host's save: the commit starts the render
        from companion.db import session

        talk = (
            session.execute(
                select(Talk).where(Talk.conference_id == conference_id).order_by(Talk.id)
            )
            .scalars()
            .first()
        )
        assert talk is not None
        talk.title += "."
        started = time.perf_counter()
        session.commit()  # the commit starts the background render
    app.extensions["companion.renderer"].wait(600)
    elapsed = time.perf_counter() - started
    with app.app_context():
        stamp_rendered = app.test_client().get(f"/{slug}/").headers["Server-Timing"]
    assert stamp_rendered == "store", stamp_rendered
    return elapsed


def scale(sessions: int) -> dict[str, float]:
    """Memory and store size at `sessions` (run in a process of its own for its peak RSS)."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/scale.db"
        upgrade_database(url)
        new, old = _apps(url)
        slug = f"synthetic-{sessions}"
        result = new.test_cli_runner().invoke(
            args=["load-synthetic", "--sessions", str(sessions), "--slug", slug]
        )
        assert result.exit_code == 0, result.output
        conference_id = _conference_id(new, slug)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        manifest = render_revision(new, conference_id)
        render_seconds = time.perf_counter() - started
        render_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert manifest is not None
        urls = list(manifest.pages)
        served = _sweep(new, urls)
        with new.app_context():
            held_now = page_cache().bytes
        swept = _sweep(old, urls)
        with old.app_context():
            held_before = page_cache().bytes
            entries_before = len(page_cache()._items)
        with get_database_of(new).sessionmaker() as db:
            stored = db.execute(select(func.sum(func.length(PageBody.data)))).scalar_one()
        get_database_of(new).engine.dispose()
        return {
            "sessions": sessions,
            "pages": len(urls),
            "render_seconds": render_seconds,
            "render_rss_growth_mib": (render_rss - rss_before) / 1024,
            "store_mib": stored / 1024 / 1024,
            "cache_now_mib": held_now / 1024 / 1024,
            "cache_before_mib": held_before / 1024 / 1024,
            "cache_before_entries": entries_before,
            "sweep_cpu_now": served["cpu"],
            "sweep_cpu_before": swept["cpu"],
        }


def _row(*cells: object) -> None:
    print("| " + " | ".join(str(cell) for cell in cells) + " |")


def _head(*cells: str) -> None:
    _row(*cells)
    _row(*("---" for _ in cells))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="leave out 20,000 sessions")
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--scale-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_only:
        print(json.dumps(scale(args.scale_only)))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/sync.db"
        upgrade_database(url)
        new, old = _apps(url)
        for command in (["load-demo"], ["load-synthetic", "--sessions", "1000"]):
            assert new.test_cli_runner().invoke(args=command).exit_code == 0
        print("## One edit, one phone\n")
        _head(
            "programme",
            "pages",
            "before: requests, KiB",
            "with validators: requests (bodies), KiB",
            "now: requests, KiB",
        )
        for label, slug in (("demo (149 sessions)", DEMO), ("1,000 sessions", SYNTHETIC)):
            row = one_edit(new, old, slug)
            b, v, n = row["before"], row["validators"], row["now"]
            _row(
                label,
                row["pages"],
                f"{b[0]}, {b[1]:.0f}",
                f"{v[0]} ({v[1]}), {v[2]:.0f}",
                f"{n[0]}, {n[1]:.1f}",
            )
        print("\n## First sync, one phone, 1,000 sessions\n")
        sync = first_sync(new, old, url, SYNTHETIC)
        b, n = sync["before"], sync["now"]
        _head("", "requests", "KiB on the wire", "server CPU, this phone", "the next phone")
        _row("before", b[0], f"{b[1]:.0f}", f"{b[2]:.2f} s", f"{b[3]:.2f} s")
        _row("now", n[0], f"{n[1]:.0f}", f"{n[2]:.3f} s", f"{n[3]:.3f} s (another worker)")
        print(
            "\nRendering the revision into the store, once for the deployment: "
            f"{sync['render_cpu']:.2f} s CPU."
        )
        print(f"\n## Fleet: {args.phones:,} phones, {args.edits} edits, 1,000 sessions\n")
        day = fleet(new, SYNTHETIC, args.phones, args.edits, sync)
        b, n = day["before"], day["now"]
        _head("", "requests", "GB", "server CPU-seconds")
        _row("before (one phone-sync × fleet)", f"{b[0]:,}", f"{b[1] / 1024:.1f}", f"{b[2]:,.0f}")
        _row("now (run)", f"{n[0]:,}", f"{n[1] / 1024:.4f}", f"{n[2]:.1f} (rendering {n[3]:.1f})")
        _row("ratio", f"{b[0] / n[0]:,.0f}×", f"{b[1] / n[1]:,.0f}×", f"{b[2] / n[2]:,.0f}×")
        print("\n## Freshness: commit → every page in the store\n")
        for label, slug in (("demo", DEMO), ("1,000 sessions", SYNTHETIC)):
            print(f"- {label}: {freshness(url, slug):.2f} s")
        get_database_of(new).engine.dispose()
    print("\n## Scale: memory for rendered pages\n")
    _head(
        "sessions",
        "pages",
        "render (s)",
        "store in DB (MiB)",
        "page cache now (MiB, bounded)",
        "page cache before (MiB, entries)",
        "a phone's sweep CPU now / before (s)",
        "renderer RSS growth (MiB)",
    )
    for sessions in (1000,) if args.quick else (1000, 20000):
        out = subprocess.run(
            [sys.executable, __file__, "--scale-only", str(sessions)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        s = json.loads(out.strip().splitlines()[-1])
        _row(
            f"{s['sessions']:,}",
            f"{s['pages']:,}",
            f"{s['render_seconds']:.1f}",
            f"{s['store_mib']:.1f}",
            f"{s['cache_now_mib']:.1f}",
            f"{s['cache_before_mib']:.1f} ({s['cache_before_entries']})",
            f"{s['sweep_cpu_now']:.2f} / {s['sweep_cpu_before']:.2f}",
            f"{s['render_rss_growth_mib']:.0f}",
        )


if __name__ == "__main__":
    main()
