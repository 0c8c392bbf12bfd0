"""Keep `search_documents` in step with the programme, in the same transaction as each change.

`after_flush` rewrites the documents of the sessions, speakers and tracks a flush touched (a
renamed speaker or track rewrites its sessions too: their documents carry its name), so an edit
costs a few rows whatever the size of the programme. A bulk UPDATE/DELETE of programme rows
names no objects: `after_bulk` notes it, and `before_commit` rebuilds the conferences whose
revision the transaction moved. The engines' own indexes follow the rows: SQLite's FTS5 table
by triggers, PostgreSQL's GIN indexes by themselves. Everything here works on a Connection, so
migration 0013 indexes an existing programme with the same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, delete, insert, select, true
from sqlalchemy.orm import ORMExecuteState, Session

from companion.markup import plain_text
from companion.programme.models import Speaker, Talk, TalkSpeaker, Track
from companion.search.models import SESSION, SPEAKER, TRACK, SearchDocument
from companion.search.text import normalise

_DOCS: Table = SearchDocument.__table__  # type: ignore[assignment]
_BULK = "search.bulk"
#: Ids per IN (…) list: well under SQLite's limit on bound parameters.
_CHUNK = 500


def after_flush(session: Session, _context: Any) -> None:
    """Rewrite the documents of what this flush added, changed or deleted."""
    talks: set[int] = set()
    speakers: set[int] = set()
    tracks: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if isinstance(obj, Talk):
            talks.add(obj.id)
        elif isinstance(obj, TalkSpeaker):
            talks.add(obj.talk_id)
        elif isinstance(obj, Speaker):
            speakers.add(obj.id)
        elif isinstance(obj, Track):
            tracks.add(obj.id)
    if talks or speakers or tracks:
        refresh(session.connection(), talks=talks, speakers=speakers, tracks=tracks)


def after_bulk(state: ORMExecuteState) -> None:
    """A bulk UPDATE or DELETE of indexed rows: rebuild the conferences it revised at commit."""
    mapper = state.bind_mapper
    indexed = mapper is not None and mapper.class_ in (Talk, TalkSpeaker, Speaker, Track)
    if (state.is_update or state.is_delete) and indexed:
        state.session.info[_BULK] = True


def before_commit(session: Session) -> None:
    """Rebuild the conferences a bulk statement changed (their revision moved with it)."""
    if not session.info.pop(_BULK, False):
        return
    session.flush()
    revised: set[int] = set(session.info.get("revised", ()))
    if revised:
        rebuild(session.connection(), revised)


def forget(session: Session, previous: Any) -> None:
    """A rolled-back transaction has nothing to rebuild."""
    if previous.parent is None:
        session.info.pop(_BULK, None)


def refresh(conn: Connection, *, talks: set[int], speakers: set[int], tracks: set[int]) -> None:
    """Rewrite the documents of these sessions, speakers and tracks (and of the sessions whose
    speaker or track they are); rows that no longer exist lose theirs."""
    talks = set(talks)
    for chunk in _chunks(speakers):
        talks.update(
            conn.execute(
                select(TalkSpeaker.talk_id).where(TalkSpeaker.speaker_id.in_(chunk))
            ).scalars()
        )
    for chunk in _chunks(tracks):
        talks.update(conn.execute(select(Talk.id).where(Talk.track_id.in_(chunk))).scalars())
    for kind, ids in ((SESSION, talks), (SPEAKER, speakers), (TRACK, tracks)):
        for chunk in _chunks(ids):
            conn.execute(delete(_DOCS).where(_DOCS.c.kind == kind, _DOCS.c.ref_id.in_(chunk)))
    rows = [
        *chain.from_iterable(_session_rows(conn, Talk.id.in_(c)) for c in _chunks(talks)),
        *chain.from_iterable(_speaker_rows(conn, Speaker.id.in_(c)) for c in _chunks(speakers)),
        *chain.from_iterable(_track_rows(conn, Track.id.in_(c)) for c in _chunks(tracks)),
    ]
    _insert(conn, rows)


def rebuild(conn: Connection, conference_ids: Iterable[int]) -> None:
    """Every document of these conferences, written afresh."""
    ids = sorted(set(conference_ids))
    if not ids:
        return
    conn.execute(delete(_DOCS).where(_DOCS.c.conference_id.in_(ids)))
    _insert(
        conn,
        [
            *_session_rows(conn, Talk.conference_id.in_(ids)),
            *_speaker_rows(conn, Speaker.conference_id.in_(ids)),
            *_track_rows(conn, Track.conference_id.in_(ids)),
        ],
    )


def rebuild_all(conn: Connection) -> None:
    """Every document of every conference (migration 0013 indexes an existing programme)."""
    conn.execute(delete(_DOCS))
    _insert(
        conn,
        [*_session_rows(conn, true()), *_speaker_rows(conn, true()), *_track_rows(conn, true())],
    )


def _session_rows(conn: Connection, where: ColumnElement[bool]) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(Talk.id, Talk.conference_id, Talk.title, Talk.abstract, Track.name)
        .outerjoin(Track, Talk.track_id == Track.id)
        .where(where)
    ).all()
    if not rows:
        return []
    names: dict[int, list[str]] = {}
    for chunk in _chunks(row[0] for row in rows):
        for talk_id, name in conn.execute(
            select(TalkSpeaker.talk_id, Speaker.name)
            .join(Speaker, Speaker.id == TalkSpeaker.speaker_id)
            .where(TalkSpeaker.talk_id.in_(chunk))
            .order_by(TalkSpeaker.talk_id, TalkSpeaker.position)
        ):
            names.setdefault(talk_id, []).append(name)
    return [
        _row(
            conference_id,
            SESSION,
            talk_id,
            title=title,
            people=" ".join(names.get(talk_id, ())),
            track=track or "",
            body=plain_text(abstract),
        )
        for talk_id, conference_id, title, abstract, track in rows
    ]


def _speaker_rows(conn: Connection, where: ColumnElement[bool]) -> list[dict[str, Any]]:
    return [
        _row(
            conference_id,
            SPEAKER,
            speaker_id,
            title=name,
            body=f"{affiliation} {plain_text(bio)}",
            excerpt=plain_text(bio),
        )
        for speaker_id, conference_id, name, affiliation, bio in conn.execute(
            select(
                Speaker.id, Speaker.conference_id, Speaker.name, Speaker.affiliation, Speaker.bio
            ).where(where)
        )
    ]


def _track_rows(conn: Connection, where: ColumnElement[bool]) -> list[dict[str, Any]]:
    return [
        _row(conference_id, TRACK, track_id, title=name, body=plain_text(introduction))
        for track_id, conference_id, name, introduction in conn.execute(
            select(Track.id, Track.conference_id, Track.name, Track.introduction).where(where)
        )
    ]


def _row(
    conference_id: int,
    kind: str,
    ref_id: int,
    *,
    title: str,
    people: str = "",
    track: str = "",
    body: str = "",
    excerpt: str | None = None,
) -> dict[str, Any]:
    return {
        "conference_id": conference_id,
        "kind": kind,
        "ref_id": ref_id,
        "title": normalise(title),
        "people": normalise(people),
        "track": normalise(track),
        "body": normalise(body),
        "excerpt": body if excerpt is None else excerpt,
    }


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        conn.execute(insert(_DOCS), rows[start : start + _CHUNK])


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    it = iter(ids)
    while chunk := list(islice(it, _CHUNK)):
        yield chunk
