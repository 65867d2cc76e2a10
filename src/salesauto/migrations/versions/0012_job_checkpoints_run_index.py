"""Job checkpoints (a retried import resumes) and the pipeline run index.

`jobs.checkpoint` holds where a long handler stands, written with the work it describes.
`ix_jobs_chain_run` lets a run's report find its jobs by `parameters.chain.run_id` instead of
reading every job; partial, so the jobs outside any run (most of them) cost no index entry.
The expression is spelt exactly as `salesauto.models.jobs.ChainRunId` renders it: the
planners only use the index for the very same expression.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_RUN_ID = {
    "postgresql": "((parameters -> 'chain') ->> 'run_id')",
    "sqlite": "json_extract(parameters, '$.chain.run_id')",
}


def upgrade() -> None:
    # Plain ALTER TABLE, never batch mode: recreating `jobs` on SQLite would drop its event
    # triggers. A nullable column without default is instant on both databases.
    op.add_column("jobs", sa.Column("checkpoint", JSON_DOC, nullable=True))
    run_id = _RUN_ID[op.get_bind().dialect.name]
    op.execute(f"CREATE INDEX ix_jobs_chain_run ON jobs ({run_id}) WHERE {run_id} IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_jobs_chain_run")
    op.drop_column("jobs", "checkpoint")  # SQLite 3.35+ drops a column in place
