"""Queue statements. Every write that finishes a job is guarded by the lease holder's id.

The same Core statements run on both databases: SQLAlchemy renders `FOR UPDATE SKIP LOCKED`
on PostgreSQL and drops it on SQLite, where `BEGIN IMMEDIATE` already serialises writers.
The only statement that differs by dialect is the batched completion (see `complete_many`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.kit.types import UtcDateTime
from salesauto.models.base import table_of
from salesauto.models.jobs import Job

jobs = table_of(Job)


@dataclass(frozen=True, slots=True)
class NewJob:
    type: str
    parameters: dict[str, Any] = field(default_factory=dict)
    priority: int = 0
    run_at: datetime | None = None
    max_attempts: int = 5
    idempotency_key: str | None = None
    owner_id: str = "default"


@dataclass(slots=True)
class ClaimedJob:
    id: int
    type: str
    parameters: dict[str, Any]
    attempts: int
    max_attempts: int
    owner_id: str


@dataclass(frozen=True, slots=True)
class Completion:
    job_id: int
    result: Any


def _insert_rows(new_jobs: Sequence[NewJob], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "type": job.type,
            "status": "queued",
            "priority": job.priority,
            "progress": 0.0,
            "parameters": job.parameters,
            "errors": [],
            "attempts": 0,
            "max_attempts": job.max_attempts,
            "run_at": job.run_at or now,
            "idempotency_key": job.idempotency_key,
            "owner_id": job.owner_id,
            "created_at": now,
            "updated_at": now,
        }
        for job in new_jobs
    ]


async def insert_jobs(
    conn: AsyncConnection, new_jobs: Sequence[NewJob], now: datetime
) -> list[int]:
    """Insert jobs without idempotency keys in one statement; returns their ids in order."""
    if not new_jobs:
        return []
    # executemany with RETURNING: SQLAlchemy batches the rows into multi-row INSERTs
    # ("insertmanyvalues") within each database's parameter limit, and keeps their order.
    result = await conn.execute(
        sa.insert(jobs).returning(jobs.c.id, sort_by_parameter_order=True),
        _insert_rows(new_jobs, now),
    )
    return [row.id for row in result]


async def insert_job_idempotent(
    conn: AsyncConnection, job: NewJob, now: datetime
) -> tuple[int, bool]:
    """Insert a job with an idempotency key, or find the one that already has it.

    Returns `(job_id, created)`. The unique index on (owner, key) settles races between
    concurrent callers: the loser's insert does nothing and it reads the winner's id.
    """
    insert = dialect_insert(conn)(jobs).values(_insert_rows([job], now))
    result = await conn.execute(
        insert.on_conflict_do_nothing(
            index_elements=["owner_id", "idempotency_key"],
            index_where=jobs.c.idempotency_key.is_not(None),
        ).returning(jobs.c.id)
    )
    job_id = result.scalar_one_or_none()
    if job_id is not None:
        return job_id, True
    existing = await conn.execute(
        sa.select(jobs.c.id).where(
            jobs.c.owner_id == job.owner_id, jobs.c.idempotency_key == job.idempotency_key
        )
    )
    return existing.scalar_one(), False


def dialect_insert(conn: AsyncConnection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _claim_statement(*, by_type: bool) -> sa.Update:
    """Built once: the claim runs thousands of times a second and its SQL never changes."""
    candidates = (
        sa.select(jobs.c.id)
        .where(jobs.c.status == "queued", jobs.c.run_at <= sa.bindparam("now"))
        .order_by(jobs.c.priority.desc(), jobs.c.run_at, jobs.c.id)
        .limit(sa.bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    if by_type:
        candidates = candidates.where(jobs.c.type.in_(sa.bindparam("types", expanding=True)))
    # A CTE fences the locked subquery so PostgreSQL cannot update more rows than LIMIT.
    picked = candidates.cte("picked")
    return (
        sa.update(jobs)
        .where(jobs.c.id.in_(sa.select(picked.c.id)))
        .values(
            status="processing",
            attempts=jobs.c.attempts + 1,
            locked_by=sa.bindparam("worker_id"),
            lease_expires_at=sa.bindparam("lease_until", type_=UtcDateTime()),
            started_at=sa.bindparam("now", type_=UtcDateTime()),
            updated_at=sa.bindparam("now", type_=UtcDateTime()),
            progress=0.0,
            progress_message=None,
            error=None,
        )
        .returning(
            jobs.c.id,
            jobs.c.type,
            jobs.c.parameters,
            jobs.c.attempts,
            jobs.c.max_attempts,
            jobs.c.owner_id,
            jobs.c.priority,
        )
    )


_CLAIM_ANY = _claim_statement(by_type=False)
_CLAIM_BY_TYPE = _claim_statement(by_type=True)

# PostgreSQL's hot path goes straight to asyncpg on the transaction's own connection: the
# same SQL as above, minus SQLAlchemy's per-row Python work, which was most of a claim's cost.
_PG_CLAIM_SQL = """
WITH picked AS MATERIALIZED (
    SELECT id FROM jobs
    WHERE status = 'queued' AND run_at <= $1 {type_filter}
    ORDER BY priority DESC, run_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE jobs
SET status = 'processing', attempts = attempts + 1, locked_by = $3, lease_expires_at = $4,
    started_at = $1, updated_at = $1, progress = 0, progress_message = NULL, error = NULL
FROM picked WHERE jobs.id = picked.id
RETURNING jobs.id, jobs.type, jobs.parameters, jobs.attempts, jobs.max_attempts,
          jobs.owner_id, jobs.priority
"""
_PG_CLAIM_ANY = _PG_CLAIM_SQL.format(type_filter="")
_PG_CLAIM_BY_TYPE = _PG_CLAIM_SQL.format(type_filter="AND type = ANY($5::text[])")


async def _driver(conn: AsyncConnection) -> Any:
    return (await conn.get_raw_connection()).driver_connection


async def _pg_claim(
    conn: AsyncConnection, parameters: dict[str, Any], types: Sequence[str] | None
) -> list[Any]:
    driver = await _driver(conn)
    arguments = [
        parameters["now"],
        parameters["limit"],
        parameters["worker_id"],
        parameters["lease_until"],
    ]
    if types is None:
        return list(await driver.fetch(_PG_CLAIM_ANY, *arguments))
    return list(await driver.fetch(_PG_CLAIM_BY_TYPE, *arguments, list(types)))


async def claim_jobs(
    conn: AsyncConnection,
    *,
    worker_id: str,
    limit: int,
    now: datetime,
    lease_until: datetime,
    types: Sequence[str] | None = None,
) -> list[ClaimedJob]:
    """Claim up to `limit` due jobs in one statement, highest priority first."""
    parameters: dict[str, Any] = {
        "now": now,
        "limit": limit,
        "worker_id": worker_id,
        "lease_until": lease_until,
    }
    if conn.dialect.name == "postgresql":
        rows = await _pg_claim(conn, parameters, types)
    else:
        statement = _CLAIM_ANY
        if types is not None:
            statement = _CLAIM_BY_TYPE
            parameters["types"] = list(types)
        rows = [row._mapping for row in (await conn.execute(statement, parameters)).all()]
    rows.sort(key=lambda row: (-row["priority"], row["id"]))
    return [
        ClaimedJob(
            id=row["id"],
            type=row["type"],
            parameters=row["parameters"] or {},
            attempts=row["attempts"],
            max_attempts=row["max_attempts"],
            owner_id=row["owner_id"],
        )
        for row in rows
    ]


_PG_COMPLETE = """
UPDATE jobs
SET status = 'completed', result = done.result, progress = 1.0, completed_at = $3,
    updated_at = $3, locked_by = NULL, lease_expires_at = NULL
FROM jsonb_to_recordset($1::jsonb) AS done(id bigint, result jsonb)
WHERE jobs.id = done.id AND jobs.locked_by = $2 AND jobs.status = 'processing'
RETURNING jobs.id
"""


def _held_by(worker_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(jobs.c.locked_by == worker_id, jobs.c.status == "processing")


async def complete_many(
    conn: AsyncConnection, *, worker_id: str, completions: Sequence[Completion], now: datetime
) -> set[int]:
    """Mark jobs completed; returns the ids that were still ours (the others were fenced)."""
    if not completions:
        return set()
    finished = {
        "status": "completed",
        "progress": 1.0,
        "completed_at": now,
        "updated_at": now,
        "locked_by": None,
        "lease_expires_at": None,
    }
    if conn.dialect.name == "postgresql":
        # One UPDATE joins every job to its own result. The SQL text never changes, so it is
        # compiled and prepared once per connection, whatever the batch size.
        payload = json.dumps([{"id": c.job_id, "result": c.result} for c in completions])
        driver = await _driver(conn)
        return {row["id"] for row in await driver.fetch(_PG_COMPLETE, payload, worker_id, now)}
    # SQLite: statements are in-process calls, so one guarded UPDATE per job costs little.
    done: set[int] = set()
    for completion in completions:
        statement = (
            sa.update(jobs)
            .where(jobs.c.id == completion.job_id, _held_by(worker_id))
            .values(result=completion.result, **finished)
            .returning(jobs.c.id)
        )
        if (await conn.execute(statement)).first() is not None:
            done.add(completion.job_id)
    return done


async def finish_failed(
    conn: AsyncConnection,
    *,
    worker_id: str,
    job: ClaimedJob,
    error: str,
    now: datetime,
    retry_at: datetime | None,
) -> bool:
    """Record a failed attempt: back to `queued` at `retry_at`, or `failed` for good."""
    held = sa.and_(jobs.c.id == job.id, _held_by(worker_id))
    # The history is read only here: failures are rare, claims are not.
    previous = (await conn.execute(sa.select(jobs.c.errors).where(held))).scalar_one_or_none()
    if previous is None:
        return False  # the lease is gone; whoever holds the job now records its outcome
    history = [*previous, {"attempt": job.attempts, "error": error, "at": now.isoformat()}]
    values: dict[str, Any] = {
        "error": error,
        "errors": history,
        "updated_at": now,
        "locked_by": None,
        "lease_expires_at": None,
    }
    if retry_at is None:
        values.update(status="failed", completed_at=now)
    else:
        values.update(status="queued", run_at=retry_at)
    statement = sa.update(jobs).where(held).values(**values).returning(jobs.c.id)
    return (await conn.execute(statement)).first() is not None


async def finish_cancelled(
    conn: AsyncConnection, *, worker_id: str, job_id: int, now: datetime
) -> bool:
    statement = (
        sa.update(jobs)
        .where(jobs.c.id == job_id, _held_by(worker_id))
        .values(
            status="cancelled",
            error="cancelled on request",
            completed_at=now,
            updated_at=now,
            locked_by=None,
            lease_expires_at=None,
        )
        .returning(jobs.c.id)
    )
    return (await conn.execute(statement)).first() is not None


async def release_jobs(
    conn: AsyncConnection, *, worker_id: str, job_ids: Sequence[int], now: datetime
) -> int:
    """Give jobs back to the queue on shutdown; the interrupted attempt does not count."""
    if not job_ids:
        return 0
    statement = (
        sa.update(jobs)
        .where(jobs.c.id.in_(job_ids), _held_by(worker_id))
        .values(
            status="queued",
            attempts=sa.func.max(jobs.c.attempts - 1, 0)
            if conn.dialect.name == "sqlite"
            else sa.func.greatest(jobs.c.attempts - 1, 0),
            locked_by=None,
            lease_expires_at=None,
            run_at=now,
            updated_at=now,
        )
        .returning(jobs.c.id)
    )
    return len((await conn.execute(statement)).all())


async def renew_leases(
    conn: AsyncConnection, *, worker_id: str, job_ids: Sequence[int], lease_until: datetime
) -> dict[int, bool]:
    """Extend the leases we still hold; returns {job_id: cancel_requested} for those."""
    if not job_ids:
        return {}
    statement = (
        sa.update(jobs)
        .where(jobs.c.id.in_(job_ids), _held_by(worker_id))
        .values(lease_expires_at=lease_until)
        .returning(jobs.c.id, jobs.c.cancel_requested_at)
    )
    return {row.id: row.cancel_requested_at is not None for row in await conn.execute(statement)}


async def set_progress(
    conn: AsyncConnection,
    *,
    worker_id: str,
    job_id: int,
    progress: float,
    message: str | None,
    now: datetime,
) -> bool:
    statement = (
        sa.update(jobs)
        .where(jobs.c.id == job_id, _held_by(worker_id))
        .values(progress=progress, progress_message=message, updated_at=now)
        .returning(jobs.c.id)
    )
    return (await conn.execute(statement)).first() is not None


@dataclass(frozen=True, slots=True)
class ExpiredLease:
    id: int
    locked_by: str | None
    attempts: int
    max_attempts: int
    errors: list[dict[str, Any]]


async def find_expired_leases(
    conn: AsyncConnection, *, now: datetime, limit: int = 100
) -> list[ExpiredLease]:
    statement = (
        sa.select(jobs.c.id, jobs.c.locked_by, jobs.c.attempts, jobs.c.max_attempts, jobs.c.errors)
        .where(jobs.c.status == "processing", jobs.c.lease_expires_at < now)
        .order_by(jobs.c.lease_expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [
        ExpiredLease(row.id, row.locked_by, row.attempts, row.max_attempts, list(row.errors or []))
        for row in await conn.execute(statement)
    ]


async def rescue_expired(
    conn: AsyncConnection, *, lease: ExpiredLease, now: datetime, retry_at: datetime | None
) -> bool:
    """Return a job whose lease ran out to the queue (or fail it when attempts are spent).

    The WHERE re-checks owner and expiry so a completion that landed after our read wins.
    """
    message = f"lease expired (worker {lease.locked_by} stopped renewing it)"
    history = [*lease.errors, {"attempt": lease.attempts, "error": message, "at": now.isoformat()}]
    values: dict[str, Any] = {
        "error": message,
        "errors": history,
        "locked_by": None,
        "lease_expires_at": None,
        "updated_at": now,
    }
    if retry_at is None:
        values.update(status="failed", completed_at=now)
    else:
        values.update(status="queued", run_at=retry_at)
    statement = (
        sa.update(jobs)
        .where(
            jobs.c.id == lease.id,
            jobs.c.status == "processing",
            jobs.c.locked_by == lease.locked_by,
            jobs.c.lease_expires_at < now,
        )
        .values(**values)
        .returning(jobs.c.id)
    )
    return (await conn.execute(statement)).first() is not None


def lease_deadline(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)
