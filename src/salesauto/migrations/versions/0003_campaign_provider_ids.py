"""Campaign instances and enrollments know their provider campaign, lead and workspace.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign_enrollments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.add_column(sa.Column("provider_lead_id", sa.String(length=100), nullable=True))
        batch_op.create_index(
            "ix_campaign_enrollments_instance_enrolled",
            ["instance_id", "enrolled_at"],
            unique=False,
        )

    with op.batch_alter_table("campaign_instances", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.add_column(sa.Column("provider", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("provider_campaign_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("daily_cap", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            "uq_campaign_instances_provider", ["owner_id", "provider", "provider_campaign_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_instances", schema=None) as batch_op:
        batch_op.drop_constraint("uq_campaign_instances_provider", type_="unique")
        batch_op.drop_column("daily_cap")
        batch_op.drop_column("provider_campaign_id")
        batch_op.drop_column("provider")
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("campaign_enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_enrollments_instance_enrolled")
        batch_op.drop_column("provider_lead_id")
        batch_op.drop_column("owner_id")
