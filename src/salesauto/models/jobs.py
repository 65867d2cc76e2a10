"""The job queue's tables: jobs, per-item results, the event outbox, cron runs and workers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler

from salesauto.kit.types import BigId, JsonDoc, UtcDateTime
from salesauto.models.base import Base, created_at_column

JOB_STATUSES = ("queued", "processing", "completed", "failed", "cancelled")
FINISHED_STATUSES = ("completed", "failed", "cancelled")


class ChainRunId(sa.sql.expression.ColumnElement[str]):
    """A job's `parameters.chain.run_id` (the pipeline run it belongs to), spelt exactly as
    `ix_jobs_chain_run` indexes it: a planner only uses an expression index for the very same
    expression, and SQLAlchemy's own JSON paths render differently (bound keys, casts)."""

    inherit_cache = True
    type = sa.String()


@compiles(ChainRunId, "postgresql")
def _chain_run_id_postgresql(element: ChainRunId, compiler: SQLCompiler, **kw: Any) -> str:
    return "((parameters -> 'chain') ->> 'run_id')"


@compiles(ChainRunId)
def _chain_run_id_sqlite(element: ChainRunId, compiler: SQLCompiler, **kw: Any) -> str:
    return "json_extract(parameters, '$.chain.run_id')"


class Job(Base):
    """One unit of work. Claimed under a lease; only the lease holder may finish it."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")
    priority: Mapped[int] = mapped_column(sa.Integer, default=0)
    progress: Mapped[float] = mapped_column(sa.Float, default=0.0)
    progress_message: Mapped[str | None] = mapped_column(sa.Text)
    parameters: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    result: Mapped[Any | None] = mapped_column(JsonDoc)
    error: Mapped[str | None] = mapped_column(sa.Text)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    # Where a long handler stands (an import's row and counts), written by its attempt in the
    # same transaction as the work it describes, so a retry resumes instead of redoing it.
    checkpoint: Mapped[Any | None] = mapped_column(JsonDoc)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(sa.Integer, default=5)
    run_at: Mapped[datetime] = mapped_column(UtcDateTime())
    locked_by: Mapped[str | None] = mapped_column(sa.String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200))
    # The workspace the job belongs to; never NULL so (owner, idempotency key) stays unique.
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')",
            name="status",
        ),
        # The claim query reads only this small partial index.
        sa.Index(
            "ix_jobs_claim",
            sa.desc("priority"),
            "run_at",
            "id",
            postgresql_where=sa.text("status = 'queued'"),
            sqlite_where=sa.text("status = 'queued'"),
        ),
        sa.Index(
            "ix_jobs_lease",
            "lease_expires_at",
            postgresql_where=sa.text("status = 'processing'"),
            sqlite_where=sa.text("status = 'processing'"),
        ),
        # A client retrying the same request gets the same job back, whatever its state.
        # Partial indexes: every claim and completion rewrites the row, and each index a row
        # belongs to costs an insert; most jobs have no key and are not finished yet.
        sa.Index(
            "uq_jobs_owner_idempotency",
            "owner_id",
            "idempotency_key",
            unique=True,
            postgresql_where=sa.text("idempotency_key IS NOT NULL"),
            sqlite_where=sa.text("idempotency_key IS NOT NULL"),
        ),
        # Listing a workspace's jobs, newest first. No (status, type) index on purpose: with
        # fresh statistics PostgreSQL preferred it to ix_jobs_claim and sorted every queued row.
        sa.Index("ix_jobs_owner_listing", "owner_id", sa.desc("id")),
        sa.Index(
            "ix_jobs_completed_at",
            "completed_at",
            postgresql_where=sa.text("completed_at IS NOT NULL"),
            sqlite_where=sa.text("completed_at IS NOT NULL"),
        ),
        # A pipeline run's report finds its jobs by run id; few jobs belong to a run.
        sa.Index(
            "ix_jobs_chain_run",
            ChainRunId(),
            postgresql_where=ChainRunId().is_not(None),
            sqlite_where=ChainRunId().is_not(None),
        ),
        # Ids are never reused after pruning: clients and cursors keep pointing at one job.
        {"sqlite_autoincrement": True},
    )


class JobResult(Base):
    """One item of a batch job (a row of an import, a contact of an enrichment run)."""

    __tablename__ = "job_results"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(20))
    data: Mapped[Any | None] = mapped_column(JsonDoc)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()


class JobEvent(Base):
    """The outbox: one row per state or progress change, written by database triggers.

    Triggers put the row in the same transaction as the change, so no code path can forget
    it and a rollback drops it. Every process tails this table to feed its WebSockets.
    """

    __tablename__ = "job_events"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    owner_id: Mapped[str] = mapped_column(sa.String(64), server_default="default")
    job_type: Mapped[str] = mapped_column(sa.String(100))
    event: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(20))
    progress: Mapped[float] = mapped_column(sa.Float)
    progress_message: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.Text)
    # Agent events (`agent.*`, written by JobContext.publish): what the turn or tool did.
    data: Mapped[Any | None] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = created_at_column()


class CronRun(Base):
    """A schedule's fire time, recorded once per cluster: the primary key is the lock."""

    __tablename__ = "cron_runs"

    task_key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    fire_at: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    job_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = created_at_column()


class Worker(Base):
    """A live worker process (observability and readiness; never used to recover jobs)."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(sa.String(255))
    pid: Mapped[int] = mapped_column(sa.Integer)
    concurrency: Mapped[int] = mapped_column(sa.Integer)
    started_at: Mapped[datetime] = created_at_column()
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
