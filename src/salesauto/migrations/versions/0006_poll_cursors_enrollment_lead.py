"""Provider events in volume: poll cursors (where reading lemlist's activities, the fallback
for its webhooks, stands per workspace), and the index a provider event finds its enrollment
by (lead id in its instance) instead of reading every enrollment of the campaign.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "provider_poll_cursors",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("cursor_at", MOMENT, nullable=True),
        sa.Column("polled_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("provider", "owner_id", name=op.f("pk_provider_poll_cursors")),
    )
    with op.batch_alter_table("campaign_enrollments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaign_enrollments_instance_lead",
            ["instance_id", "provider_lead_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_enrollments_instance_lead")
    op.drop_table("provider_poll_cursors")
