"""Campaigns: templates per workspace, instance counters and times, enrollment funnel marks,
and provider events deduplicated per provider.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The first time an enrollment reached each funnel stage: a counter counts a lead once.
FUNNEL_MARKS = (
    "sent_at",
    "delivered_at",
    "opened_at",
    "clicked_at",
    "replied_at",
    "bounced_at",
    "unsubscribed_at",
)


def upgrade() -> None:
    with op.batch_alter_table("campaign_templates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_campaign_templates_owner_created", ["owner_id", "created_at"])

    with op.batch_alter_table("campaign_instances", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("total_bounced", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("total_unsubscribed", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        # Existing instances get the migration's time; new ones the application's clock.
        batch_op.add_column(
            sa.Column(
                "created_at",
                sa.DateTime(timezone=True),
                server_default=sa.func.current_timestamp(),
                nullable=False,
            )
        )
        batch_op.create_index("ix_campaign_instances_owner_created", ["owner_id", "created_at"])

    with op.batch_alter_table("campaign_enrollments", schema=None) as batch_op:
        for name in FUNNEL_MARKS:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_reply_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reply_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("reply_class", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("stop_reason", sa.String(length=200), nullable=True))
        batch_op.create_index(
            "ix_campaign_enrollments_owner_email", ["owner_id", "contact_email"], unique=False
        )

    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.add_column(sa.Column("provider", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("instance_id", sa.Uuid(), nullable=True))

    # Events recorded before this revision belong to their enrollment's instance.
    op.execute(
        "UPDATE campaign_events SET instance_id = (SELECT e.instance_id FROM"
        " campaign_enrollments e WHERE e.id = campaign_events.enrollment_id)"
    )

    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.alter_column("instance_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_constraint("uq_campaign_events_provider_event_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_campaign_events_provider", ["provider", "provider_event_id"]
        )
        batch_op.create_foreign_key(
            "fk_campaign_events_instance_id_campaign_instances",
            "campaign_instances",
            ["instance_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            "ix_campaign_events_instance_type", ["instance_id", "event_type"], unique=False
        )
        batch_op.create_index(
            "ix_campaign_events_instance_timestamp", ["instance_id", "timestamp"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_events_instance_timestamp")
        batch_op.drop_index("ix_campaign_events_instance_type")
        batch_op.drop_constraint(
            "fk_campaign_events_instance_id_campaign_instances", type_="foreignkey"
        )
        batch_op.drop_constraint("uq_campaign_events_provider", type_="unique")
        batch_op.create_unique_constraint(
            "uq_campaign_events_provider_event_id", ["provider_event_id"]
        )
        batch_op.drop_column("instance_id")
        batch_op.drop_column("provider")
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("campaign_enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_enrollments_owner_email")
        for name in (
            "stop_reason",
            "reply_class",
            "reply_text",
            "last_reply_at",
            "last_event_at",
            "paused_until",
            *reversed(FUNNEL_MARKS),
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("campaign_instances", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_instances_owner_created")
        for name in (
            "created_at",
            "updated_at",
            "stopped_at",
            "paused_at",
            "total_unsubscribed",
            "total_bounced",
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("campaign_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_templates_owner_created")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("owner_id")
