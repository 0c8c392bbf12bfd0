"""The search index follows every way the programme is written: the index kept in step with each
flush must equal one rebuilt from scratch after the demo loader, an import, a re-import, edits
and deletes."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import delete, select

from companion.db import session
from companion.demo.data import demo_data
from companion.programme.models import Speaker, Talk, TalkSpeaker, Track
from companion.programme.operations import create_conference_from_data
from companion.search import queries
from companion.search.index import rebuild_all
from companion.search.models import SearchDocument
from tests.exchange.conftest import CCC_JSON, CCC_XML, read, run_import


def _documents() -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in session.execute(
            select(
                SearchDocument.conference_id,
                SearchDocument.kind,
                SearchDocument.ref_id,
                SearchDocument.title,
                SearchDocument.people,
                SearchDocument.track,
                SearchDocument.body,
            ).order_by(SearchDocument.kind, SearchDocument.ref_id)
        )
    ]


def _same_as_rebuilt() -> list[tuple[Any, ...]]:
    """The documents kept in step, checked against a rebuild (rolled back afterwards)."""
    kept = _documents()
    rebuild_all(session.connection())
    assert _documents() == kept
    session.rollback()
    return kept


def test_the_demo_loader_leaves_the_index_right(app: Flask) -> None:
    with app.app_context():
        conference = create_conference_from_data(demo_data())
        session.commit()
        kept = _same_as_rebuilt()
        assert len(kept) == len(demo_data()["sessions"]) + len(demo_data()["speakers"]) + len(
            demo_data()["tracks"]
        )
        found = queries.search(conference, "newman")
        assert [r.speaker.name for r in found.speakers] == ["Sam Newman"]


def test_an_import_and_a_reimport_leave_the_index_right(app: Flask) -> None:
    with app.app_context():
        result = run_import(read(CCC_XML), slug="36c3")
        assert _same_as_rebuilt()
        run_import(read(CCC_JSON), slug="36c3")
        _same_as_rebuilt()
        talk = (
            session.execute(
                select(Talk).where(Talk.conference_id == result.conference.id).order_by(Talk.id)
            )
            .scalars()
            .first()
        )
        assert talk is not None
        found = queries.search(result.conference, talk.title)
        assert talk.id in [r.talk.id for r in found.sessions]


def test_edits_renames_and_deletes_leave_the_index_right(app: Flask) -> None:
    with app.app_context():
        create_conference_from_data(demo_data())
        session.commit()
        talks = session.execute(select(Talk).order_by(Talk.id)).scalars().all()
        talks[0].title = "Renamed session"
        talks[1].abstract = "A new *abstract* about Zanzibar."
        session.delete(talks[2])
        session.commit()
        _same_as_rebuilt()
        speaker = session.execute(select(Speaker).order_by(Speaker.id)).scalars().first()
        assert speaker is not None
        speaker.name = "Someone Else"
        track = session.execute(select(Track).order_by(Track.id)).scalars().first()
        assert track is not None
        track.name = "A renamed track"
        session.commit()
        _same_as_rebuilt()
        session.delete(session.execute(select(Speaker).order_by(Speaker.id)).scalars().first())
        session.execute(delete(TalkSpeaker).where(TalkSpeaker.talk_id == talks[3].id))
        session.commit()
        _same_as_rebuilt()
