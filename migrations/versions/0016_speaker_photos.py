"""speaker photos: speakers.photo (the hash in its URLs) and speaker_photos (the files)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("speakers") as batch:
        batch.add_column(sa.Column("photo", sa.String(16), nullable=True))
        batch.add_column(
            sa.Column("photo_placeholder", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "speaker_photos",
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(16), nullable=False),
        sa.Column("small_webp", sa.LargeBinary(), nullable=False),
        sa.Column("small_jpg", sa.LargeBinary(), nullable=False),
        sa.Column("large_webp", sa.LargeBinary(), nullable=False),
        sa.Column("large_jpg", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_speaker_photos_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["speakers.id"],
            name=op.f("fk_speaker_photos_speaker_id_speakers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_speaker_photos_uploaded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("speaker_id", name=op.f("pk_speaker_photos")),
    )


def downgrade() -> None:
    op.drop_table("speaker_photos")
    with op.batch_alter_table("speakers") as batch:
        batch.drop_column("photo_placeholder")
        batch.drop_column("photo")
