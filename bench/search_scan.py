"""The search of before issue 17, kept as the benchmark's baseline: each process held a
normalised copy of the conference's text and scanned it with substring tests (no speakers,
no typos, no prefixes beyond substrings). Trimmed from companion/programme/search.py at
1736e3b: the scoring only, without loading the result rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.markup import plain_text
from companion.programme.models import Speaker, Talk, TalkSpeaker, Track
from companion.search.text import normalise

WEIGHTS = {"title": 10, "speakers": 8, "track": 4, "abstract": 1}
LIMIT = 50


def build(db: Session, conference_id: int) -> list[tuple[int, str, dict[str, str]]]:
    """The in-memory copy (built once per revision)."""
    names: dict[int, list[str]] = {}
    for talk_id, name in db.execute(
        select(TalkSpeaker.talk_id, Speaker.name)
        .join(Speaker, Speaker.id == TalkSpeaker.speaker_id)
        .where(Speaker.conference_id == conference_id)
    ):
        names.setdefault(talk_id, []).append(name)
    rows = db.execute(
        select(Talk.id, Talk.start, Talk.title, Talk.abstract, Track.name)
        .outerjoin(Track, Talk.track_id == Track.id)
        .where(Talk.conference_id == conference_id)
    )
    return [
        (
            talk_id,
            start.isoformat(),
            {
                "title": normalise(title),
                "speakers": normalise(" ".join(names.get(talk_id, []))),
                "track": normalise(track or ""),
                "abstract": normalise(plain_text(abstract)),
            },
        )
        for talk_id, start, title, abstract, track in rows
    ]


def scan(entries: list[tuple[int, str, dict[str, str]]], query: str) -> list[int]:
    """The old scoring loop: talk ids, best first."""
    terms = normalise(query).split()
    if not terms:
        return []
    phrase = " ".join(terms)
    scored: list[tuple[int, str, int]] = []
    for talk_id, start_key, fields in entries:
        total = 0
        for term in terms:
            best = 0
            for name, text in fields.items():
                if term in text:
                    best = max(best, WEIGHTS[name] * (2 if f" {term}" in f" {text}" else 1))
            if best == 0:
                break
            total += best
        else:
            if len(terms) > 1 and phrase in fields["title"]:
                total += WEIGHTS["title"] * 2
            scored.append((-total, start_key, talk_id))
    scored.sort()
    return [talk_id for _, _, talk_id in scored[:LIMIT]]
