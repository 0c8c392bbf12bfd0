"""page_bodies and page_revisions: every public page rendered once per revision, shared by every
worker and node

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_bodies",
        sa.Column("etag", sa.String(64), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("gzipped", sa.Boolean(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_page_bodies_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conference_id", "etag", name=op.f("pk_page_bodies")),
    )
    op.create_table(
        "page_revisions",
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("build", sa.String(32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rendered", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("pages", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "state IN ('rendering', 'complete')", name=op.f("ck_page_revisions_state_known")
        ),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_page_revisions_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "conference_id", "build", "revision", name=op.f("pk_page_revisions")
        ),
    )


def downgrade() -> None:
    op.drop_table("page_revisions")
    op.drop_table("page_bodies")
