"""What search reads: one row per session, speaker and track, its text already normalised
(casefolded, accents removed), kept in step with the programme by `companion.search.index`.

The engines index these rows; their index structures are dialect-specific and live in migration
0013 only (SQLite: the FTS5 table `search_fts` fed by triggers, and `search_vocab`; PostgreSQL:
a GIN index on the weighted tsvector and a trigram index), so `UNMODELLED` names them for the
schema comparison."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from companion.db import Base

SESSION = "session"
SPEAKER = "speaker"
TRACK = "track"
#: The kinds of result, in the order a results page shows their sections.
KINDS = (SPEAKER, TRACK, SESSION)

#: Tables, indexes and columns of migration 0013 that no model describes (each engine's own
#: index, and PostgreSQL's generated tsvector column `document`).
UNMODELLED = frozenset(
    {
        "search_fts",
        "search_fts_data",
        "search_fts_idx",
        "search_fts_content",
        "search_fts_docsize",
        "search_fts_config",
        "search_vocab",
        "ix_search_documents_tsv",
        "ix_search_documents_trgm",
    }
)
#: (table, column) pairs of the same.
UNMODELLED_COLUMNS = frozenset({("search_documents", "document")})


class SearchDocument(Base):
    """The searchable text of one session, speaker or track, by field (heaviest first)."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_documents_conference_id", "conference_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"))
    #: session, speaker or track; `ref_id` is the id of that row.
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int] = mapped_column(Integer)
    #: A session's title, a speaker's name, a track's name.
    title: Mapped[str] = mapped_column(Text, default="")
    #: A session's speakers.
    people: Mapped[str] = mapped_column(Text, default="")
    #: A session's track.
    track: Mapped[str] = mapped_column(Text, default="")
    #: A session's abstract, a speaker's affiliation and bio, a track's introduction.
    body: Mapped[str] = mapped_column(Text, default="")
    #: The abstract, bio or introduction as plain text, as written (not indexed): what a result's
    #: snippet is cut from, without rendering Markdown per result.
    excerpt: Mapped[str] = mapped_column(Text, default="")
