"""Pages must not issue a query per row: the count is the same on a tiny and a 1,000-session
conference (pretalx-style N+1 guard)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.caching import reset_caches
from companion.demo.data import demo_data, synthetic_data
from companion.programme.models import Room, Speaker, Talk, Track
from companion.programme.operations import create_conference_from_data


def _urls(dbs: Session, slug: str, day: str) -> list[str]:
    talk = dbs.execute(select(Talk).where(Talk.kind == "talk").order_by(Talk.id)).scalars().first()
    track = dbs.execute(select(Track).order_by(Track.id)).scalars().first()
    speaker = dbs.execute(select(Speaker).order_by(Speaker.id)).scalars().first()
    room = dbs.execute(select(Room).order_by(Room.id)).scalars().first()
    assert talk and track and speaker and room
    return [
        f"/{slug}/",
        f"/{slug}/programme/{day}/",
        f"/{slug}/sessions/{talk.guid}/",
        f"/{slug}/tracks/",
        f"/{slug}/tracks/{track.slug}/",
        f"/{slug}/speakers/",
        f"/{slug}/speakers/{speaker.slug}/",
        f"/{slug}/rooms/",
        f"/{slug}/rooms/{room.slug}/",
        f"/{slug}/search?q={quote(speaker.name)}",
        f"/api/v1/conferences/{slug}/programme",
    ]


def _counts(app: Flask, queries: Callable[[], Any], urls: list[str], now: str) -> list[int]:
    client = app.test_client()
    app.config["FIXED_NOW"] = now
    counts = []
    for url in urls:
        reset_caches(app)
        with queries() as statements:
            assert client.get(url).status_code == 200, url
        counts.append(len(statements))
    return counts


@pytest.mark.parametrize(
    ("data", "day", "now"),
    [
        (synthetic_data(slug="scale", sessions=6), "2030-05-06", "2030-05-06T10:00:00+00:00"),
        (demo_data(), "2020-03-02", "2020-03-02T10:40:00+00:00"),
        (synthetic_data(slug="scale", sessions=1000), "2030-05-06", "2030-05-06T10:00:00+00:00"),
    ],
    ids=["6-sessions", "demo-149", "1000-sessions"],
)
def test_query_count_does_not_grow_with_sessions(
    app: Flask, dbs: Session, queries, data: dict[str, Any], day: str, now: str
) -> None:
    from flask import g

    with app.app_context():
        create_conference_from_data(data)
        g.db_session.commit()
    slug = data["conference"]["slug"]
    assert _counts(app, queries, _urls(dbs, slug, day), now) == EXPECTED


#: Queries per page, in _urls order: a change here must be deliberate. Home reads its keynotes
#: only (now & next comes from the day pages, on the device). Session and room pages
#: look up their floor's map (venue): one query, and one more for its rooms when there is one.
#: Day, session, track, speaker and room pages read their change marks from the audit log: one.
#: Search for a speaker's name: the match, then the sessions (+ speakers) and the speakers (+ their
#: sessions) it found. The session and speaker pages read their links, the programme document
#: every link.
EXPECTED = [3, 7, 7, 5, 7, 3, 8, 3, 7, 7, 10]
