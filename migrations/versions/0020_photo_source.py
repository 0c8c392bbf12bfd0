"""speaker_photos.source_url: where an imported photo came from (a schedule's `avatar`), so a
re-import with the same address keeps the photo without fetching it again

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("speaker_photos") as batch:
        batch.add_column(sa.Column("source_url", sa.String(2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("speaker_photos") as batch:
        batch.drop_column("source_url")
