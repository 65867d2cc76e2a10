"""Queue statements. Every write that finishes a job is guarded by the lease holder's id.

Most statements are the same Core SQL on both databases. The hot paths that differ (claim,
batched completion, bulk and single insert) live in `dialects.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.jobs import dialects
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


_INSERT_ONE = sa.insert(jobs).returning(jobs.c.id)


async def insert_jobs(
    conn: AsyncConnection, new_jobs: Sequence[NewJob], now: datetime
) -> list[int]:
    """Insert jobs without idempotency keys in one statement; returns their ids in order."""
    if not new_jobs:
        return []
    if len(new_jobs) == 1:
        result = await conn.execute(_INSERT_ONE, _insert_rows(new_jobs, now)[0])
        return [result.scalar_one()]
    if conn.dialect.name == "postgresql":
        return await dialects.pg_insert_many(conn, new_jobs, now)
    return await dialects.sqlite_insert_many(conn, jobs, _insert_rows(new_jobs, now))


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
    claim = dialects.pg_claim if conn.dialect.name == "postgresql" else dialects.sqlite_claim
    rows = await claim(
        conn, worker_id=worker_id, limit=limit, now=now, lease_until=lease_until, types=types
    )
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


def _held_by(worker_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(jobs.c.locked_by == worker_id, jobs.c.status == "processing")


async def complete_many(
    conn: AsyncConnection, *, worker_id: str, completions: Sequence[Completion], now: datetime
) -> set[int]:
    """Mark jobs completed; returns the ids that were still ours (the others were fenced)."""
    if not completions:
        return set()
    if conn.dialect.name == "postgresql":
        return await dialects.pg_complete(
            conn, worker_id=worker_id, completions=completions, now=now
        )
    return await dialects.sqlite_complete(
        conn, worker_id=worker_id, completions=completions, now=now
    )


def _failed_attempt(
    history: list[dict[str, Any]],
    attempt: int,
    error: str,
    now: datetime,
    retry_at: datetime | None,
    *,
    cancel_requested: bool = False,
) -> dict[str, Any]:
    """Column values after a failed attempt: queued again at `retry_at`, failed for good, or
    cancelled when a cancel was asked for meanwhile (it must not run again)."""
    values: dict[str, Any] = {
        "error": error,
        "errors": [*history, {"attempt": attempt, "error": error, "at": now.isoformat()}],
        "updated_at": now,
        "locked_by": None,
        "lease_expires_at": None,
    }
    if cancel_requested:
        values.update(status="cancelled", completed_at=now)
    elif retry_at is None:
        values.update(status="failed", completed_at=now)
    else:
        values.update(status="queued", run_at=retry_at)
    return values


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
    current = (
        await conn.execute(sa.select(jobs.c.errors, jobs.c.cancel_requested_at).where(held))
    ).first()
    if current is None:
        return False  # the lease is gone; whoever holds the job now records its outcome
    values = _failed_attempt(
        current.errors,
        job.attempts,
        error,
        now,
        retry_at,
        cancel_requested=current.cancel_requested_at is not None,
    )
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
            # A job whose cancel was asked for ends here rather than waiting for a new worker.
            status=sa.case((jobs.c.cancel_requested_at.is_not(None), "cancelled"), else_="queued"),
            completed_at=sa.case((jobs.c.cancel_requested_at.is_not(None), now), else_=None),
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
    cancel_requested: bool


async def find_expired_leases(
    conn: AsyncConnection, *, now: datetime, limit: int = 100
) -> list[ExpiredLease]:
    statement = (
        sa.select(
            jobs.c.id,
            jobs.c.locked_by,
            jobs.c.attempts,
            jobs.c.max_attempts,
            jobs.c.errors,
            jobs.c.cancel_requested_at,
        )
        .where(jobs.c.status == "processing", jobs.c.lease_expires_at < now)
        .order_by(jobs.c.lease_expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [
        ExpiredLease(
            row.id,
            row.locked_by,
            row.attempts,
            row.max_attempts,
            list(row.errors or []),
            row.cancel_requested_at is not None,
        )
        for row in await conn.execute(statement)
    ]


async def rescue_expired(
    conn: AsyncConnection, *, lease: ExpiredLease, now: datetime, retry_at: datetime | None
) -> bool:
    """Return a job whose lease ran out to the queue (or fail it when attempts are spent).

    The WHERE re-checks owner and expiry so a completion that landed after our read wins.
    """
    message = f"lease expired (worker {lease.locked_by} stopped renewing it)"
    values = _failed_attempt(
        lease.errors,
        lease.attempts,
        message,
        now,
        retry_at,
        cancel_requested=lease.cancel_requested,
    )
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
