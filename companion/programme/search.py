"""Search sessions by title, abstract, speaker and track, ranked.

The whole conference's searchable text is a few hundred KB at most, so each process keeps it in
memory, keyed by programme revision, and scans it with plain substring tests (C speed). That works
the same on SQLite and PostgreSQL and answers in about a millisecond at 1,000 sessions; see
docs/decisions.md for why not FTS5/tsvector.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from companion.db import session
from companion.markup import plain_text
from companion.programme.models import Conference, Speaker, Talk, TalkSpeaker, Track
from companion.programme.queries import talk_cards

#: How much a match in each field counts; a word that starts with the term counts double.
WEIGHTS = {"title": 10, "speakers": 8, "track": 4, "abstract": 1}
#: Results shown at most.
LIMIT = 50

_NON_WORD = re.compile(r"[^\w]+")
_lock = threading.Lock()


def normalise(text: str) -> str:
    """Casefolded, accents removed, punctuation to single spaces: "Café-Ops!" → "cafe ops"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped).split())


@dataclass(frozen=True, slots=True)
class _Entry:
    talk_id: int
    start_key: str
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class Result:
    """A matching session and its score (higher is better)."""

    talk: Talk
    score: int


def search(conference: Conference, query: str) -> list[Result]:
    """Sessions of `conference` matching every word of `query`, best first (at most LIMIT)."""
    terms = normalise(query).split()
    if not terms:
        return []
    phrase = " ".join(terms)
    scored: list[tuple[int, str, int]] = []
    for entry in _index(conference):
        total = 0
        for term in terms:
            best = 0
            for name, text in entry.fields.items():
                if term in text:
                    weight = WEIGHTS[name] * (2 if f" {term}" in f" {text}" else 1)
                    best = max(best, weight)
            if best == 0:
                break
            total += best
        else:
            if len(terms) > 1 and phrase in entry.fields["title"]:
                total += WEIGHTS["title"] * 2
            scored.append((-total, entry.start_key, entry.talk_id))
    scored.sort()
    top = scored[:LIMIT]
    if not top:
        return []
    talks = {
        talk.id: talk
        for talk in session.execute(
            talk_cards().where(Talk.id.in_([talk_id for _, _, talk_id in top]))
        ).scalars()
    }
    return [Result(talks[talk_id], -neg) for neg, _, talk_id in top if talk_id in talks]


def _index(conference: Conference) -> list[_Entry]:
    cache: dict[int, tuple[int, list[_Entry]]] = current_app.extensions.setdefault(
        "companion.search_index", {}
    )
    cached = cache.get(conference.id)
    if cached is not None and cached[0] == conference.revision:
        return cached[1]
    entries = _build(conference)
    with _lock:
        cache[conference.id] = (conference.revision, entries)
    return entries


def _build(conference: Conference) -> list[_Entry]:
    names: dict[int, list[str]] = {}
    for talk_id, name in session.execute(
        select(TalkSpeaker.talk_id, Speaker.name)
        .join(Speaker, Speaker.id == TalkSpeaker.speaker_id)
        .where(Speaker.conference_id == conference.id)
    ):
        names.setdefault(talk_id, []).append(name)
    rows = session.execute(
        select(Talk.id, Talk.start, Talk.title, Talk.abstract, Track.name)
        .outerjoin(Track, Talk.track_id == Track.id)
        .where(Talk.conference_id == conference.id)
    )
    return [
        _Entry(
            talk_id=talk_id,
            start_key=start.isoformat(),
            fields={
                "title": normalise(title),
                "speakers": normalise(" ".join(names.get(talk_id, []))),
                "track": normalise(track_name or ""),
                "abstract": normalise(plain_text(abstract)),
            },
        )
        for talk_id, start, title, abstract, track_name in rows
    ]
