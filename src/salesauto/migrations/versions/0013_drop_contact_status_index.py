"""Drop `ix_imported_contacts_status`: every stage query is per workspace and uses
`ix_imported_contacts_owner_stage` (owner_id, status); the lone status index only cost a
write per imported contact (a tenth of a fresh import's index work).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_imported_contacts_status", table_name="imported_contacts")


def downgrade() -> None:
    op.create_index("ix_imported_contacts_status", "imported_contacts", ["status"])
