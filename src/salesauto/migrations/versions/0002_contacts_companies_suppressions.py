"""Contacts get identity per workspace and their fields; companies and suppressions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("data", JSON_DOC, nullable=False),
        sa.Column("provenance", JSON_DOC, nullable=False),
        sa.Column("hubspot_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("owner_id", "domain", name="uq_companies_owner_domain"),
    )
    op.create_table(
        "suppressions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.CheckConstraint("kind IN ('email', 'domain')", name=op.f("ck_suppressions_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppressions")),
        sa.UniqueConstraint("owner_id", "kind", "value", name="uq_suppressions_owner_kind_value"),
    )
    # A contact's identity becomes (workspace, email): the primary key moves.
    with op.batch_alter_table("imported_contacts", recreate="always") as batch_op:
        batch_op.add_column(
            sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False)
        )
        batch_op.drop_constraint("pk_imported_contacts", type_="primary")
        batch_op.create_primary_key("pk_imported_contacts", ["owner_id", "email"])
        batch_op.add_column(sa.Column("first_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("last_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("title", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("linkedin_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("company_name", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("company_domain", sa.String(length=253), nullable=True))
        batch_op.add_column(sa.Column("company_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("provenance", JSON_DOC, server_default="{}", nullable=False))
        batch_op.add_column(sa.Column("score", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("score_reasons", JSON_DOC, nullable=True))
        batch_op.add_column(sa.Column("hubspot_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("lemlist_lead_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("updated_at", MOMENT, nullable=True))
        batch_op.create_index(
            "ix_imported_contacts_owner_domain", ["owner_id", "company_domain"], unique=False
        )
        batch_op.create_index(
            "ix_imported_contacts_owner_stage", ["owner_id", "status"], unique=False
        )
        batch_op.create_foreign_key(
            op.f("fk_imported_contacts_company_id_companies"),
            "companies",
            ["company_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("imported_contacts", recreate="always") as batch_op:
        batch_op.drop_constraint(
            op.f("fk_imported_contacts_company_id_companies"), type_="foreignkey"
        )
        batch_op.drop_index("ix_imported_contacts_owner_stage")
        batch_op.drop_index("ix_imported_contacts_owner_domain")
        for column in (
            "updated_at",
            "lemlist_lead_id",
            "hubspot_id",
            "score_reasons",
            "score",
            "provenance",
            "company_id",
            "company_domain",
            "company_name",
            "linkedin_url",
            "phone",
            "title",
            "last_name",
            "first_name",
        ):
            batch_op.drop_column(column)
        batch_op.drop_constraint("pk_imported_contacts", type_="primary")
        batch_op.create_primary_key("pk_imported_contacts", ["email"])
        batch_op.drop_column("owner_id")
    op.drop_table("suppressions")
    op.drop_table("companies")
