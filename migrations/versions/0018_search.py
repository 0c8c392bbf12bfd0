"""search_documents, and each engine's index of them: SQLite FTS5 (+ fts5vocab), PostgreSQL
tsvector (GIN) and pg_trgm

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# The weighted document (PostgreSQL): a generated column, so that it follows every write.
_TSV = (
    "(setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, people), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, track), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, body), 'D'))"
)
_WORDS = "(title || ' ' || people || ' ' || track)"

_SQLITE = [
    # External content: the words live in search_documents once; FTS5 keeps only its index.
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, people, track, body, "
    "content='search_documents', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')",
    "CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title, people, track, body) "
    "VALUES (new.id, new.title, new.people, new.track, new.body); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, people, track, body) "
    "VALUES ('delete', old.id, old.title, old.people, old.track, old.body); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, people, track, body) "
    "VALUES ('delete', old.id, old.title, old.people, old.track, old.body); "
    "INSERT INTO search_fts(rowid, title, people, track, body) "
    "VALUES (new.id, new.title, new.people, new.track, new.body); END",
]
_POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Stored: ranking reads it for every match, and recomputing it cost ~45 ms at 1,000 matches.
    f"ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS {_TSV} STORED",
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (document)",
    f"CREATE INDEX ix_search_documents_trgm ON search_documents USING gin ({_WORDS} gin_trgm_ops)",
]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("people", sa.Text(), nullable=False),
        sa.Column("track", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_search_documents_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_search_documents_kind_ref_id")),
    )
    op.create_index(
        "ix_search_documents_conference_id", "search_documents", ["conference_id"], unique=False
    )
    bind = op.get_bind()
    for statement in _SQLITE if bind.dialect.name == "sqlite" else _POSTGRES:
        op.execute(statement)
    # The programme already there: indexed by the same code that keeps it in step afterwards.
    from companion.search.index import rebuild_all

    rebuild_all(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("search_documents_ai", "search_documents_ad", "search_documents_au"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE search_vocab")
        op.execute("DROP TABLE search_fts")
    else:
        op.execute("DROP INDEX ix_search_documents_trgm")
        op.execute("DROP INDEX ix_search_documents_tsv")
        op.execute("ALTER TABLE search_documents DROP COLUMN document")
    op.drop_index("ix_search_documents_conference_id", table_name="search_documents")
    op.drop_table("search_documents")
