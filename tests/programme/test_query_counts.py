"""Pages must not issue a query per row: the count is the same on a tiny and a 1,000-session
conference (pretalx-style N+1 guard)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.demo.data import synthetic_data
from companion.programme.models import Speaker, Talk, Track
from companion.programme.operations import create_conference_from_data


def _urls(dbs: Session, slug: str) -> list[str]:
    talk = dbs.execute(select(Talk).where(Talk.title.endswith("from session 5"))).scalars().first()
    track = dbs.execute(select(Track)).scalars().first()
    speaker = dbs.execute(select(Speaker)).scalars().first()
    assert talk and track and speaker
    day = "2030-05-06"
    return [
        f"/{slug}/",
        f"/{slug}/programme/{day}/",
        f"/{slug}/sessions/{talk.guid}/",
        f"/{slug}/tracks/",
        f"/{slug}/tracks/{track.slug}/",
        f"/{slug}/speakers/",
        f"/{slug}/speakers/{speaker.slug}/",
        f"/{slug}/rooms/",
        f"/{slug}/rooms/room-1/",
        f"/{slug}/search?q=lessons+session",
        f"/api/v1/conferences/{slug}/programme",
    ]


def _counts(app: Flask, queries: Callable[[], Any], urls: list[str]) -> list[int]:
    client = app.test_client()
    app.config["FIXED_NOW"] = "2030-05-06T10:00:00+00:00"
    counts = []
    for url in urls:
        app.extensions["companion.page_cache"].clear()
        app.extensions.pop("companion.search_index", None)
        with queries() as statements:
            assert client.get(url).status_code == 200, url
        counts.append(len(statements))
    return counts


@pytest.mark.parametrize("size", [6, 1000])
def test_query_count_does_not_grow_with_sessions(
    app: Flask, dbs: Session, queries, size: int
) -> None:
    from flask import g

    with app.app_context():
        create_conference_from_data(synthetic_data(slug="scale", sessions=size))
        g.db_session.commit()
    counts = _counts(app, queries, _urls(dbs, "scale"))
    assert counts == EXPECTED


#: Queries per page, in _urls order: a change here must be deliberate.
EXPECTED = [4, 6, 4, 5, 6, 3, 6, 3, 5, 6, 9]
