"""seed tables and job queue

Revision ID: 0001
Revises:
Create Date: 2026-11-26 00:47:45.126244
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_tables()
    _tune_queue_tables()
    _create_job_event_triggers()


def _create_tables() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=255), nullable=False),
        sa.Column("key_prefix", sa.String(length=32), nullable=False),
        sa.Column(
            "scopes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_prefix", name=op.f("uq_api_keys_key_prefix")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "campaign_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "structure",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "default_variables",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_templates")),
    )
    with op.batch_alter_table("campaign_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_templates_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "chat_conversations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_conversations")),
    )
    op.create_table(
        "cron_runs",
        sa.Column("task_key", sa.String(length=100), nullable=False),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("task_key", "fire_at", name=op.f("pk_cron_runs")),
    )
    op.create_table(
        "dead_letter_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("retry_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "event_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letter_events")),
    )
    with op.batch_alter_table("dead_letter_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dead_letter_events_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_dead_letter_events_status"), ["status"], unique=False)

    op.create_table(
        "enrichment_cache",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("cached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_enrichment_cache")),
    )
    with op.batch_alter_table("enrichment_cache", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrichment_cache_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "imported_contacts",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enriched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_imported_contacts")),
    )
    with op.batch_alter_table("imported_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_contacts_status"), ["status"], unique=False)

    op.create_table(
        "job_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False),
        sa.Column("job_type", sa.String(length=100), nullable=False),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("progress_message", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("job_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_events_job_id"), ["job_id"], unique=False)

    op.create_table(
        "jobs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("progress_message", sa.Text(), nullable=True),
        sa.Column(
            "parameters",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("owner_id", sa.String(length=64), server_default="default", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')",
            name=op.f("ck_jobs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_jobs_completed_at",
            ["completed_at"],
            unique=False,
            postgresql_where=sa.text("completed_at IS NOT NULL"),
            sqlite_where=sa.text("completed_at IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_jobs_lease",
            ["lease_expires_at"],
            unique=False,
            postgresql_where=sa.text("status = 'processing'"),
            sqlite_where=sa.text("status = 'processing'"),
        )
        batch_op.create_index(
            "ix_jobs_owner_listing", ["owner_id", sa.text("id DESC")], unique=False
        )
        batch_op.create_index(
            "uq_jobs_owner_idempotency",
            ["owner_id", "idempotency_key"],
            unique=True,
            postgresql_where=sa.text("idempotency_key IS NOT NULL"),
            sqlite_where=sa.text("idempotency_key IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_jobs_claim",
            [sa.text("priority DESC"), "run_at", "id"],
            unique=False,
            postgresql_where=sa.text("status = 'queued'"),
            sqlite_where=sa.text("status = 'queued'"),
        )

    op.create_table(
        "workers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workers")),
    )
    op.create_table(
        "yolo_activity",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("cycle_id", sa.String(length=64), nullable=False),
        sa.Column("phase", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "metrics",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yolo_activity")),
    )
    with op.batch_alter_table("yolo_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_yolo_activity_cycle_id"), ["cycle_id"], unique=False)

    op.create_table(
        "campaign_instances",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total_enrolled", sa.Integer(), nullable=False),
        sa.Column("total_sent", sa.Integer(), nullable=False),
        sa.Column("total_delivered", sa.Integer(), nullable=False),
        sa.Column("total_opened", sa.Integer(), nullable=False),
        sa.Column("total_clicked", sa.Integer(), nullable=False),
        sa.Column("total_replied", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["campaign_templates.id"],
            name=op.f("fk_campaign_instances_template_id_campaign_templates"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_instances")),
    )
    with op.batch_alter_table("campaign_instances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_instances_template_id"), ["template_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_campaign_instances_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "chat_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["chat_conversations.id"],
            name=op.f("fk_chat_messages_conversation_id_chat_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
    )
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chat_messages_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "job_results",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_key", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_results_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_results")),
    )
    with op.batch_alter_table("job_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_results_job_id"), ["job_id"], unique=False)

    op.create_table(
        "campaign_enrollments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("instance_id", sa.Uuid(), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=False),
        sa.Column(
            "variables",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["campaign_instances.id"],
            name=op.f("fk_campaign_enrollments_instance_id_campaign_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_enrollments")),
        sa.UniqueConstraint(
            "instance_id", "contact_email", name=op.f("uq_campaign_enrollments_instance_id")
        ),
    )
    with op.batch_alter_table("campaign_enrollments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_enrollments_contact_email"), ["contact_email"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_campaign_enrollments_instance_id"), ["instance_id"], unique=False
        )

    op.create_table(
        "campaign_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("provider_event_id", sa.String(length=200), nullable=True),
        sa.Column(
            "event_data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["campaign_enrollments.id"],
            name=op.f("fk_campaign_events_enrollment_id_campaign_enrollments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_events")),
        sa.UniqueConstraint("provider_event_id", name=op.f("uq_campaign_events_provider_event_id")),
    )
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_events_enrollment_id"), ["enrollment_id"], unique=False
        )


def _tune_queue_tables() -> None:
    """Jobs and events churn: vacuum and analyze them early so the claim stays an index walk."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("jobs", "job_events"):
        op.execute(
            f"ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0.01,"
            " autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 0)"
        )
    op.execute("ALTER TABLE jobs SET (fillfactor = 70)")


def _create_job_event_triggers() -> None:
    """Write a job_events row for every state or progress change, in the same transaction."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in _POSTGRESQL_TRIGGERS:
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


_EVENT_NAME = """CASE
    WHEN {new}.status = {old}.status THEN 'job.progress'
    WHEN {new}.status = 'processing' THEN 'job.started'
    ELSE 'job.' || {new}.status
  END"""

_EVENT_COLUMNS = (
    "job_id, owner_id, job_type, event, status, progress, progress_message, attempts, error,"
    " created_at"
)

# PostgreSQL: statement-level triggers with transition tables, so a batch claim or a batch
# completion writes its events in one INSERT instead of one per row.
_POSTGRESQL_TRIGGERS = [
    f"""
CREATE FUNCTION salesauto_job_events_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_events ({_EVENT_COLUMNS})
  SELECT n.id, n.owner_id, n.type, 'job.' || n.status, n.status, n.progress,
         n.progress_message, n.attempts, n.error, statement_timestamp()
  FROM new_rows n;
  RETURN NULL;
END $$
""",
    """
CREATE TRIGGER jobs_events_on_insert AFTER INSERT ON jobs
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION salesauto_job_events_on_insert()
""",
    f"""
CREATE FUNCTION salesauto_job_events_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO job_events ({_EVENT_COLUMNS})
  SELECT n.id, n.owner_id, n.type, {_EVENT_NAME.format(new="n", old="o")}, n.status,
         n.progress, n.progress_message, n.attempts, n.error, statement_timestamp()
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE n.status IS DISTINCT FROM o.status
     OR n.progress IS DISTINCT FROM o.progress
     OR n.progress_message IS DISTINCT FROM o.progress_message
  ORDER BY n.id;
  RETURN NULL;
END $$
""",
    """
CREATE TRIGGER jobs_events_on_update AFTER UPDATE ON jobs
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION salesauto_job_events_on_update()
""",
]

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

_SQLITE_TRIGGERS = [
    f"""
CREATE TRIGGER jobs_events_on_insert AFTER INSERT ON jobs
BEGIN
  INSERT INTO job_events ({_EVENT_COLUMNS})
  VALUES (NEW.id, NEW.owner_id, NEW.type, 'job.' || NEW.status, NEW.status, NEW.progress,
          NEW.progress_message, NEW.attempts, NEW.error, {_SQLITE_NOW});
END
""",
    f"""
CREATE TRIGGER jobs_events_on_update AFTER UPDATE OF status, progress, progress_message ON jobs
WHEN NEW.status IS NOT OLD.status
  OR NEW.progress IS NOT OLD.progress
  OR NEW.progress_message IS NOT OLD.progress_message
BEGIN
  INSERT INTO job_events ({_EVENT_COLUMNS})
  VALUES (NEW.id, NEW.owner_id, NEW.type, {_EVENT_NAME.format(new="NEW", old="OLD")},
          NEW.status, NEW.progress, NEW.progress_message, NEW.attempts, NEW.error,
          {_SQLITE_NOW});
END
""",
]


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS jobs_events_on_update ON jobs")
        op.execute("DROP TRIGGER IF EXISTS jobs_events_on_insert ON jobs")
        op.execute("DROP FUNCTION IF EXISTS salesauto_job_events_on_update()")
        op.execute("DROP FUNCTION IF EXISTS salesauto_job_events_on_insert()")
    else:
        op.execute("DROP TRIGGER IF EXISTS jobs_events_on_update")
        op.execute("DROP TRIGGER IF EXISTS jobs_events_on_insert")
    with op.batch_alter_table("campaign_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_events_enrollment_id"))

    op.drop_table("campaign_events")
    with op.batch_alter_table("campaign_enrollments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_enrollments_instance_id"))
        batch_op.drop_index(batch_op.f("ix_campaign_enrollments_contact_email"))

    op.drop_table("campaign_enrollments")
    with op.batch_alter_table("job_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_results_job_id"))

    op.drop_table("job_results")
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_messages_conversation_id"))

    op.drop_table("chat_messages")
    with op.batch_alter_table("campaign_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_instances_user_id"))
        batch_op.drop_index(batch_op.f("ix_campaign_instances_template_id"))

    op.drop_table("campaign_instances")
    with op.batch_alter_table("yolo_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_yolo_activity_cycle_id"))

    op.drop_table("yolo_activity")
    op.drop_table("workers")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("uq_jobs_owner_idempotency")
        batch_op.drop_index("ix_jobs_owner_listing")
        batch_op.drop_index("ix_jobs_claim")
        batch_op.drop_index(
            "ix_jobs_lease",
            postgresql_where=sa.text("status = 'processing'"),
            sqlite_where=sa.text("status = 'processing'"),
        )
        batch_op.drop_index("ix_jobs_completed_at")

    op.drop_table("jobs")
    with op.batch_alter_table("job_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_events_job_id"))

    op.drop_table("job_events")
    with op.batch_alter_table("imported_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_contacts_status"))

    op.drop_table("imported_contacts")
    with op.batch_alter_table("enrichment_cache", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrichment_cache_expires_at"))

    op.drop_table("enrichment_cache")
    with op.batch_alter_table("dead_letter_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dead_letter_events_status"))
        batch_op.drop_index(batch_op.f("ix_dead_letter_events_email"))

    op.drop_table("dead_letter_events")
    op.drop_table("cron_runs")
    op.drop_table("chat_conversations")
    with op.batch_alter_table("campaign_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_templates_user_id"))

    op.drop_table("campaign_templates")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_user_id"))

    op.drop_table("api_keys")
