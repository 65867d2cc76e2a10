"""Each campaign instance keeps the step structure of its template as it was when spawned
(the sequence then lives at the provider; `stopOnReply` is read from here). Existing
instances take their template's current structure.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("campaign_instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("structure", JSON_DOC, nullable=True))
    op.execute(
        "UPDATE campaign_instances SET structure = (SELECT campaign_templates.structure "
        "FROM campaign_templates WHERE campaign_templates.id = campaign_instances.template_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("campaign_instances", schema=None) as batch_op:
        batch_op.drop_column("structure")
