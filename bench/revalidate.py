"""What one edit costs a browser that revalidates every page it holds (plain HTTP, If-None-Match).

    .venv/bin/python bench/revalidate.py

Builds a fresh SQLite database with the demo (149 sessions) and a generated 1,000-session
conference, fetches every page of the offline list once (what a phone holds), then a host moves
one session by 5 minutes and every page is asked again with the ETag it had. Counted: the answers
that are 200 (a body on the wire, gzipped as a browser asks) and the 304s.

Side by side: with validators derived from the conference's revision (the design before issue 15)
every ETag changes with every edit, so every page is a 200 of its full gzipped body; that column is
measured from the same pages' gzipped sizes. In process (the Flask test client), so it counts
requests and bytes, not time.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from app import create_app
from companion.cli import upgrade_database
from companion.db import get_database_of
from companion.programme.models import Conference, Talk

GZIP = {"Accept-Encoding": "gzip"}


def _pages(client, slug: str) -> list[str]:
    listing = client.get(f"/api/v1/conferences/{slug}/offline", headers=GZIP)
    data = listing.get_data()
    if listing.headers.get("Content-Encoding") == "gzip":
        import gzip

        data = gzip.decompress(data)
    return list(json.loads(data)["pages"])


def measure(app, slug: str) -> dict[str, float]:
    """Hold every page, move one session by 5 minutes, revalidate every page."""
    client = app.test_client()
    urls = _pages(client, slug)
    held = {}
    for url in urls:
        response = client.get(url, headers=GZIP)
        held[url] = (response.headers.get("ETag"), len(response.get_data()))
    with get_database_of(app).sessionmaker() as session:
        conference = session.execute(select(Conference).where(Conference.slug == slug)).scalar_one()
        talk = (
            session.execute(
                select(Talk).where(Talk.conference_id == conference.id).order_by(Talk.start)
            )
            .scalars()
            .first()
        )
        assert talk is not None
        talk.start += timedelta(minutes=5)
        talk.end += timedelta(minutes=5)
        session.commit()
    fresh = changed = changed_bytes = 0
    for url, (etag, _) in held.items():
        response = client.get(url, headers={**GZIP, "If-None-Match": etag or ""})
        if response.status_code == 304:
            fresh += 1
        else:
            changed += 1
            changed_bytes += len(response.get_data())
    return {
        "pages": len(urls),
        "before_requests": len(urls),
        "before_kib": sum(size for _, size in held.values()) / 1024,
        "after_200": changed,
        "after_304": fresh,
        "after_kib": changed_bytes / 1024,
    }


def main() -> None:
    """Measure on the demo and on 1,000 sessions; print a Markdown table."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/revalidate.db"
        upgrade_database(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PAGE_CACHE_SIZE": 4096})
        runner = app.test_cli_runner()
        for args in (["load-demo"], ["load-synthetic", "--sessions", "1000"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        print(
            "| programme | pages held | revision-derived ETags: 200s, KiB "
            "| body-derived ETags: 200s + 304s, KiB of 200s |"
        )
        print("|---|---|---|---|")
        for label, slug in (
            ("demo (149 sessions)", "qcon-london-2020"),
            ("1,000 sessions", "synthetic-1000"),
        ):
            row = measure(app, slug)
            print(
                f"| {label} | {row['pages']:.0f} | {row['before_requests']:.0f}, "
                f"{row['before_kib']:.0f} KiB | {row['after_200']:.0f} + {row['after_304']:.0f}, "
                f"{row['after_kib']:.0f} KiB |"
            )
        get_database_of(app).engine.dispose()


if __name__ == "__main__":
    main()
