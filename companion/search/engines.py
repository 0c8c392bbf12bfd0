"""The two search engines behind one interface, chosen by the database's dialect.

SQLite: FTS5 (`search_fts`, unicode61 with diacritics removed, prefix indexes of 2–4 letters),
ranked by bm25() with column weights; its vocabulary (`search_vocab`, fts5vocab) is where a
misspelt word's nearest real word is found (rapidfuzz). PostgreSQL: the weighted tsvector
(title A, speakers B, track C, abstract D; 'simple' configuration, GIN index) ranked by
ts_rank_cd; a misspelt word's neighbours come from pg_trgm's word_similarity over a trigram
index. Both answer the same three questions; `companion.search.queries` asks them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import text
from sqlalchemy.orm import Session

from companion.search.text import Term, normalise

#: Column weights, heaviest first: title, speakers, track, abstract (and bio, introduction).
WEIGHTS = (10.0, 8.0, 4.0, 1.0)
#: Words shorter than this are never corrected ("sam" is not a typo of "sum").
MIN_CORRECTABLE = 4


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching document: its kind (session, speaker, track), row id, score (higher is
    better; comparable only within one answer) and plain text to cut a snippet from."""

    kind: str
    ref_id: int
    score: float
    excerpt: str


class Engine(Protocol):
    """What search asks a database."""

    def match(
        self, session: Session, conference_id: int, terms: list[Term], limit: int
    ) -> list[Hit]:
        """Documents with every term, best first, at most `limit` of each kind."""
        ...

    def neighbours(self, session: Session, conference_id: int, term: Term) -> list[str]:
        """Words of the conference's index that look like `term` (candidates for a typo)."""
        ...


def nearest(term: Term, words: list[str]) -> list[str]:
    """`words` within an edit distance of `term` (1 up to 7 letters, 2 from 8), closest first;
    a prefix term is compared with the words' beginnings as well ("microservis" → microservices)."""
    if len(term.text) < MIN_CORRECTABLE or not words:
        return []
    most = 1 if len(term.text) < 8 else 2
    scored: dict[str, float] = {}
    for choice, distance, _ in process.extract(
        term.text, words, scorer=Levenshtein.distance, score_cutoff=most, limit=10
    ):
        scored[choice] = distance
    if term.prefix:
        heads = [word[: len(term.text)] for word in words]
        for _head, distance, index in process.extract(
            term.text, heads, scorer=Levenshtein.distance, score_cutoff=most, limit=10
        ):
            word = words[index]
            scored[word] = min(scored.get(word, distance + 0.5), distance + 0.5)
    return [w for w, _ in sorted(scored.items(), key=lambda item: (item[1], len(item[0]), item[0]))]


class SQLiteEngine:
    """FTS5 with bm25 ranking; typo candidates from its fts5vocab vocabulary."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._vocabulary: tuple[object, list[str]] = (None, [])

    def match(
        self, session: Session, conference_id: int, terms: list[Term], limit: int
    ) -> list[Hit]:
        """FTS5 MATCH of every term (the last as a prefix), bm25 with column weights."""
        if not terms:
            return []
        # A prefix also as a whole word, so the word itself ranks above longer ones ("Sam" above
        # "Samira"): bm25 counts both phrases for it.
        expression = " AND ".join(
            f'("{t.text}" OR "{t.text}"*)' if t.prefix else f'"{t.text}"' for t in terms
        )
        weights = ", ".join(str(w) for w in WEIGHTS)
        rows = session.execute(
            text(
                "SELECT kind, ref_id, score, excerpt FROM ("
                " SELECT d.kind AS kind, d.ref_id AS ref_id, f.score AS score,"
                "  d.excerpt AS excerpt,"
                "  row_number() OVER (PARTITION BY d.kind ORDER BY f.score, d.ref_id) AS n"
                f" FROM (SELECT rowid AS id, bm25(search_fts, {weights}) AS score"
                "  FROM search_fts WHERE search_fts MATCH :expression) AS f"
                " JOIN search_documents AS d ON d.id = f.id"
                " WHERE d.conference_id = :conference_id"
                ") WHERE n <= :limit ORDER BY score, ref_id"
            ),
            {"expression": expression, "conference_id": conference_id, "limit": limit},
        )
        # bm25 is lower for better matches.
        return [Hit(kind, ref_id, -score, excerpt) for kind, ref_id, score, excerpt in rows]

    def neighbours(self, session: Session, conference_id: int, term: Term) -> list[str]:
        """The vocabulary's words nearest `term` (the vocabulary is read once per change of any
        conference's revision: it is one for the whole database)."""
        return nearest(term, self._words(session))

    def _words(self, session: Session) -> list[str]:
        generation = tuple(
            session.execute(text("SELECT count(*), sum(revision) FROM conferences")).one()
        )
        with self._lock:
            held, words = self._vocabulary
        if held != generation:
            words = list(session.execute(text("SELECT term FROM search_vocab")).scalars())
            with self._lock:
                self._vocabulary = (generation, words)
        return words


#: The weighted document (title A, speakers B, track C, body D): a stored generated column of
#: migration 0013, with its GIN index.
TSV = "document"
#: The words a typo is looked for in (the trigram index of migration 0013 is on it).
WORDS = "(title || ' ' || people || ' ' || track)"
#: How alike a word must be (pg_trgm word_similarity) to be a typo's candidate.
TRIGRAM_THRESHOLD = 0.4


class PostgresEngine:
    """tsvector @@ tsquery with ts_rank_cd; typo candidates by pg_trgm word similarity."""

    def match(
        self, session: Session, conference_id: int, terms: list[Term], limit: int
    ) -> list[Hit]:
        """Every term (the last as a prefix, `:*`), ranked by ts_rank_cd with weights D…A."""
        if not terms:
            return []
        query = " & ".join(f"'{t.text}'" + (":*" if t.prefix else "") for t in terms)
        # ts_rank_cd scores a prefix's expansions as the word itself: the words as typed score
        # again, so that "Sam" ranks above "Samira" (as bm25 does with both phrases on SQLite).
        exact = " | ".join(f"'{t.text}'" for t in terms)
        # ts_rank_cd's weights are {D, C, B, A}, each relative to the heaviest.
        weights = ",".join(str(w / WEIGHTS[0]) for w in reversed(WEIGHTS))
        rows = session.execute(
            text(
                "SELECT kind, ref_id, score, excerpt FROM ("
                " SELECT kind, ref_id, score, excerpt,"
                "  row_number() OVER (PARTITION BY kind ORDER BY score DESC, ref_id) AS n"
                " FROM (SELECT kind, ref_id, excerpt,"
                f"  ts_rank_cd('{{{weights}}}'::float4[], {TSV}, q)"
                f"  + ts_rank_cd('{{{weights}}}'::float4[], {TSV}, e) AS score"
                "  FROM search_documents, to_tsquery('simple', :query) AS q,"
                "  to_tsquery('simple', :exact) AS e"
                f"  WHERE conference_id = :conference_id AND {TSV} @@ q) AS found"
                ") AS ranked WHERE n <= :limit ORDER BY score DESC, ref_id"
            ),
            {"query": query, "exact": exact, "conference_id": conference_id, "limit": limit},
        )
        return [Hit(kind, ref_id, float(score), excerpt) for kind, ref_id, score, excerpt in rows]

    def neighbours(self, session: Session, conference_id: int, term: Term) -> list[str]:
        """Words of the documents most like `term` (trigram index), nearest first."""
        session.execute(
            text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, true)"),
            {"t": str(TRIGRAM_THRESHOLD)},
        )
        texts = session.execute(
            text(
                f"SELECT {WORDS} FROM search_documents"
                f" WHERE conference_id = :conference_id AND :term <% {WORDS}"
                f" ORDER BY word_similarity(:term, {WORDS}) DESC LIMIT 20"
            ),
            {"conference_id": conference_id, "term": term.text},
        ).scalars()
        words = sorted({word for found in texts for word in normalise(found).split()})
        return nearest(term, words)


def engine_for(dialect: str) -> Engine:
    """The engine of a database dialect (one per process: SQLite's caches its vocabulary)."""
    engine = _ENGINES.get(dialect)
    if engine is None:
        raise LookupError(f"search has no engine for {dialect}")
    return engine


_ENGINES: dict[str, Engine] = {"sqlite": SQLiteEngine(), "postgresql": PostgresEngine()}
