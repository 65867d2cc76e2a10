"""Webhooks: endpoints registered at providers, receipts (stored before processing, unique per
provider event), and dead letters that know their workspace, provider event and last error.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_prefix", sa.String(length=16), nullable=False),
        sa.Column("provider_hook_id", sa.String(length=100), nullable=True),
        sa.Column("target_url", sa.String(length=1000), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("revoked_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoints_token_prefix"), ["token_prefix"], unique=False
        )
        batch_op.create_index(
            "uq_webhook_endpoints_live",
            ["provider", "owner_id"],
            unique=True,
            postgresql_where=sa.text("revoked_at IS NULL"),
            sqlite_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "webhook_receipts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False),
        sa.Column("endpoint_id", BIG_ID, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("headers", JSON_DOC, nullable=False),
        sa.Column("received_at", MOMENT, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", MOMENT, nullable=True),
        sa.Column("processed_at", MOMENT, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('received', 'processed', 'orphaned', 'dead', 'failed')",
            name=op.f("ck_webhook_receipts_status"),
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_receipts_endpoint_id_webhook_endpoints"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_receipts")),
        sa.UniqueConstraint("provider", "event_id", name="uq_webhook_receipts_provider_event"),
    )
    with op.batch_alter_table("webhook_receipts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_receipts_status_next", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_receipts_status_received", ["status", "received_at"], unique=False
        )

    with op.batch_alter_table("dead_letter_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.add_column(sa.Column("provider", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("provider_event_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("receipt_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("discarded_at", MOMENT, nullable=True))
        batch_op.create_unique_constraint(
            "uq_dead_letter_events_provider_event", ["provider", "provider_event_id"]
        )
        batch_op.create_index(
            "ix_dead_letter_events_owner_status",
            ["owner_id", "status", "created_at"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_dead_letter_events_receipt_id_webhook_receipts"),
            "webhook_receipts",
            ["receipt_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("dead_letter_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_dead_letter_events_receipt_id_webhook_receipts"), type_="foreignkey"
        )
        batch_op.drop_index("ix_dead_letter_events_owner_status")
        batch_op.drop_constraint("uq_dead_letter_events_provider_event", type_="unique")
        for name in (
            "discarded_at",
            "last_error",
            "receipt_id",
            "provider_event_id",
            "provider",
            "owner_id",
        ):
            batch_op.drop_column(name)

    with op.batch_alter_table("webhook_receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_receipts_status_received")
        batch_op.drop_index("ix_webhook_receipts_status_next")
    op.drop_table("webhook_receipts")

    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index("uq_webhook_endpoints_live")
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_token_prefix"))
    op.drop_table("webhook_endpoints")
