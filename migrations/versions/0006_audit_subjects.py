"""audit log covers the organiser's changes too (conference, tracks, rooms, floors, roles)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject", sa.String(length=16), server_default="session", nullable=False)
        )
        batch_op.alter_column("talk_guid", existing_type=sa.String(length=36), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM audit_entries WHERE talk_guid IS NULL")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("talk_guid", existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_column("subject")
