"""links: a session's slides, recording and live stream, a speaker's website, Mastodon, GitHub…

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("talk_id", sa.Integer(), nullable=True),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(talk_id IS NULL) <> (speaker_id IS NULL)", name=op.f("ck_links_one_owner")
        ),
        sa.CheckConstraint(
            "kind IN ('slides', 'recording', 'stream', 'other', "
            "'website', 'mastodon', 'github', 'linkedin')",
            name=op.f("ck_links_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_links_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["talk_id"], ["talks.id"], name=op.f("fk_links_talk_id_talks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speakers.id"],
            name=op.f("fk_links_speaker_id_speakers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
    )
    op.create_index("ix_links_talk", "links", ["talk_id", "position"], unique=False)
    op.create_index("ix_links_speaker", "links", ["speaker_id", "position"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_links_speaker", table_name="links")
    op.drop_index("ix_links_talk", table_name="links")
    op.drop_table("links")
