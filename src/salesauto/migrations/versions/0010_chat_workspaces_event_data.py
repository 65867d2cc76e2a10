"""Chat conversations belong to a workspace and remember their title and agent; chat messages
and job events carry structured data (tool activity, agent events).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("chat_conversations", schema=None) as batch_op:
        # Conversations of the seed had no owner: they were the single workspace's.
        batch_op.add_column(
            sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.add_column(sa.Column("title", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column(
                "agent", sa.String(length=50), server_default="chat_assistant", nullable=False
            )
        )
        batch_op.create_index(
            "ix_chat_conversations_owner_listing", ["owner_id", "created_at", "id"], unique=False
        )
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data", JSON_DOC, nullable=True))
    with op.batch_alter_table("job_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data", JSON_DOC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_events", schema=None) as batch_op:
        batch_op.drop_column("data")
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_column("data")
    with op.batch_alter_table("chat_conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_conversations_owner_listing")
        batch_op.drop_column("agent")
        batch_op.drop_column("title")
        batch_op.drop_column("owner_id")
