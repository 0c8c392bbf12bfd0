"""deliveries.user_id: whom a delivery was for, kept when the device's subscription goes

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deliveries_user_id_users"),
            "users",
            ["user_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_deliveries_user_sent", ["user_id", "sent_at"], unique=False)
    # Deliveries made before: their subscription still says whose they were (where it exists).
    op.execute(
        "UPDATE deliveries SET user_id = (SELECT push_subscriptions.user_id FROM push_subscriptions"
        " WHERE push_subscriptions.id = deliveries.subscription_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_user_sent")
        batch_op.drop_constraint(batch_op.f("fk_deliveries_user_id_users"), type_="foreignkey")
        batch_op.drop_column("user_id")
