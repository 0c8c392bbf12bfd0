"""Search a conference: sessions, speakers and tracks matching a query, ranked, highlighted,
with a misspelt word replaced by the nearest word the programme has ("Showing results for …").

Who uses it: the search page and the search API (`companion.search.views`), the benchmark."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from companion.db import session
from companion.programme.models import Conference, Speaker, Talk, Track
from companion.programme.queries import talk_cards
from companion.search.engines import Engine, Hit, engine_for
from companion.search.models import SESSION, SPEAKER, TRACK
from companion.search.text import Term, highlight, snippet, terms

#: Results shown at most, per section.
LIMITS = {SESSION: 30, SPEAKER: 10, TRACK: 5}


@dataclass(frozen=True, slots=True)
class SessionResult:
    """A matching session, its title, speakers and track highlighted, and an abstract snippet."""

    talk: Talk
    title: Markup
    speakers: Markup
    track: Markup
    snippet: Markup


@dataclass(frozen=True, slots=True)
class SpeakerResult:
    """A matching speaker, their name highlighted, with their sessions; where the name does not
    match, the part of their bio that does."""

    speaker: Speaker
    name: Markup
    snippet: Markup


@dataclass(frozen=True, slots=True)
class TrackResult:
    """A matching track, its name highlighted."""

    track: Track
    name: Markup


@dataclass(slots=True)
class Results:
    """What a search found, by section, best first; `corrected` is the query actually searched
    when a word of the one asked was misspelt."""

    query: str
    corrected: str | None = None
    sessions: list[SessionResult] = field(default_factory=list)
    speakers: list[SpeakerResult] = field(default_factory=list)
    tracks: list[TrackResult] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Results in every section."""
        return len(self.sessions) + len(self.speakers) + len(self.tracks)


def engine() -> Engine:
    """The engine of the database this request uses."""
    return engine_for(session.get_bind().dialect.name)


def search(conference: Conference, query: str) -> Results:
    """The sessions, speakers and tracks of `conference` matching every word of `query` (the
    last as a prefix), best first; a word nothing matches is replaced by its nearest neighbour."""
    wanted = terms(query)
    results = Results(query=query)
    if not wanted:
        return results
    search_engine = engine()
    limit = max(LIMITS.values())
    hits = search_engine.match(session, conference.id, wanted, limit)
    if not hits:
        fixed = _correct(search_engine, conference, wanted)
        if fixed != wanted:
            hits = search_engine.match(session, conference.id, fixed, limit)
            if hits:
                results.corrected = " ".join(t.text for t in fixed)
                wanted = fixed
    _fill(results, conference, hits, wanted)
    return results


def _correct(search_engine: Engine, conference: Conference, wanted: list[Term]) -> list[Term]:
    """Each term that matches nothing on its own, replaced by the nearest word that does."""
    fixed: list[Term] = []
    for term in wanted:
        if search_engine.match(session, conference.id, [term], 1):
            fixed.append(term)
            continue
        for word in search_engine.neighbours(session, conference.id, term):
            candidate = Term(word)
            if search_engine.match(session, conference.id, [candidate], 1):
                fixed.append(candidate)
                break
        else:
            fixed.append(term)
    return fixed


def _fill(results: Results, conference: Conference, hits: list[Hit], found: list[Term]) -> None:
    ids: dict[str, list[int]] = {SESSION: [], SPEAKER: [], TRACK: []}
    excerpts: dict[tuple[str, int], str] = {}
    for hit in hits:
        if len(ids[hit.kind]) < LIMITS[hit.kind]:
            ids[hit.kind].append(hit.ref_id)
            excerpts[hit.kind, hit.ref_id] = hit.excerpt
    if ids[SESSION]:
        talks = {
            t.id: t
            for t in session.execute(
                talk_cards().where(Talk.conference_id == conference.id, Talk.id.in_(ids[SESSION]))
            ).scalars()
        }
        results.sessions = [
            _session(talks[i], found, excerpts[SESSION, i]) for i in ids[SESSION] if i in talks
        ]
    if ids[SPEAKER]:
        speakers = {
            s.id: s
            for s in session.execute(
                select(Speaker)
                .where(Speaker.conference_id == conference.id, Speaker.id.in_(ids[SPEAKER]))
                .options(selectinload(Speaker.talks))
            ).scalars()
        }
        results.speakers = [
            _speaker(speakers[i], found, excerpts[SPEAKER, i])
            for i in ids[SPEAKER]
            if i in speakers
        ]
    if ids[TRACK]:
        tracks = {
            t.id: t
            for t in session.execute(
                select(Track).where(Track.conference_id == conference.id, Track.id.in_(ids[TRACK]))
            ).scalars()
        }
        results.tracks = [
            TrackResult(tracks[i], highlight(tracks[i].name, found))
            for i in ids[TRACK]
            if i in tracks
        ]


def _speaker(speaker: Speaker, found: list[Term], bio: str) -> SpeakerResult:
    name = highlight(speaker.name, found)
    about = Markup("") if "<mark>" in name else snippet(bio, found)
    return SpeakerResult(speaker=speaker, name=name, snippet=about)


def _session(talk: Talk, found: list[Term], abstract: str) -> SessionResult:
    return SessionResult(
        talk=talk,
        title=highlight(talk.title, found),
        speakers=Markup(", ").join(highlight(s.name, found) for s in talk.speakers),
        track=highlight(talk.track.name, found) if talk.track else Markup(""),
        snippet=snippet(abstract, found),
    )
