"""The queue statements that differ by database, in one place.

PostgreSQL's hot paths go straight to asyncpg on the transaction's own connection (the same
transaction SQLAlchemy opened): fixed SQL text, prepared once per connection, and none of
SQLAlchemy's per-row Python work, which was most of a claim's cost. SQLite's batch paths use
one statement per batch (`UPDATE … FROM json_each`, executemany) instead of one per job.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.kit.db import driver_connection
from salesauto.kit.types import UtcDateTime
from salesauto.models.base import table_of
from salesauto.models.jobs import Job

if TYPE_CHECKING:
    from salesauto.jobs.repository import Completion, NewJob


_driver = driver_connection


async def _pg_fetch(conn: AsyncConnection, sql: str, *arguments: Any) -> list[Any]:
    """Run a raw asyncpg query; a dropped connection is invalidated so the pool replaces it
    (errors raised here never pass through SQLAlchemy, which would otherwise do that)."""
    import asyncpg

    driver = await _driver(conn)
    try:
        return list(await driver.fetch(sql, *arguments))
    except (OSError, asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError):
        await conn.invalidate()
        raise


# -- PostgreSQL ------------------------------------------------------------------------------

_PG_CLAIM = """
WITH picked AS MATERIALIZED (
    SELECT id FROM jobs
    WHERE status = 'queued' AND run_at <= $1 AND cancel_requested_at IS NULL {type_filter}
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
_PG_CLAIM_ANY = _PG_CLAIM.format(type_filter="")
_PG_CLAIM_BY_TYPE = _PG_CLAIM.format(type_filter="AND type = ANY($5::text[])")

_PG_COMPLETE = """
UPDATE jobs
SET status = 'completed', result = done.result, progress = 1.0, completed_at = $3,
    updated_at = $3, locked_by = NULL, lease_expires_at = NULL
FROM jsonb_to_recordset($1::jsonb) AS done(id bigint, result jsonb)
WHERE jobs.id = done.id AND jobs.locked_by = $2 AND jobs.status = 'processing'
RETURNING jobs.id
"""

_PG_INSERT_MANY = """
INSERT INTO jobs (type, status, priority, progress, parameters, errors, attempts, max_attempts,
                  run_at, owner_id, created_at, updated_at)
SELECT new.type, 'queued', new.priority, 0, new.parameters::jsonb, '[]'::jsonb, 0,
       new.max_attempts, new.run_at, new.owner_id, $6, $6
FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::timestamptz[], $7::text[])
     AS new(type, priority, parameters, max_attempts, run_at, owner_id)
RETURNING id
"""


async def pg_claim(
    conn: AsyncConnection,
    *,
    worker_id: str,
    limit: int,
    now: datetime,
    lease_until: datetime,
    types: Sequence[str] | None,
) -> list[Any]:
    arguments: list[Any] = [now, limit, worker_id, lease_until]
    if types is None:
        return await _pg_fetch(conn, _PG_CLAIM_ANY, *arguments)
    return await _pg_fetch(conn, _PG_CLAIM_BY_TYPE, *arguments, list(types))


async def pg_complete(
    conn: AsyncConnection, *, worker_id: str, completions: Sequence[Completion], now: datetime
) -> set[int]:
    payload = json.dumps([{"id": c.job_id, "result": c.result} for c in completions])
    return {row["id"] for row in await _pg_fetch(conn, _PG_COMPLETE, payload, worker_id, now)}


async def pg_insert_many(
    conn: AsyncConnection, new_jobs: Sequence[NewJob], now: datetime
) -> list[int]:
    """One INSERT … SELECT FROM unnest(arrays): the SQL is the same for any batch size."""
    rows = await _pg_fetch(
        conn,
        _PG_INSERT_MANY,
        [job.type for job in new_jobs],
        [job.priority for job in new_jobs],
        [json.dumps(job.parameters) for job in new_jobs],
        [job.max_attempts for job in new_jobs],
        [job.run_at or now for job in new_jobs],
        now,
        [job.owner_id for job in new_jobs],
    )
    # Ids come from one sequence in row order, so ascending ids are the input order.
    return sorted(row["id"] for row in rows)


# -- SQLite ----------------------------------------------------------------------------------


def _sqlite_claim_statement(*, by_type: bool) -> sa.Update:
    """Built once: the claim runs thousands of times a second and its SQL never changes."""
    jobs = table_of(Job)
    candidates = (
        sa.select(jobs.c.id)
        .where(
            jobs.c.status == "queued",
            jobs.c.run_at <= sa.bindparam("now"),
            jobs.c.cancel_requested_at.is_(None),
        )
        .order_by(jobs.c.priority.desc(), jobs.c.run_at, jobs.c.id)
        .limit(sa.bindparam("limit"))
    )
    if by_type:
        candidates = candidates.where(jobs.c.type.in_(sa.bindparam("types", expanding=True)))
    # No row locks on SQLite: BEGIN IMMEDIATE already makes this transaction the only writer.
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


_SQLITE_CLAIM_ANY = _sqlite_claim_statement(by_type=False)
_SQLITE_CLAIM_BY_TYPE = _sqlite_claim_statement(by_type=True)


async def sqlite_claim(
    conn: AsyncConnection,
    *,
    worker_id: str,
    limit: int,
    now: datetime,
    lease_until: datetime,
    types: Sequence[str] | None,
) -> list[Any]:
    parameters: dict[str, Any] = {
        "now": now,
        "limit": limit,
        "worker_id": worker_id,
        "lease_until": lease_until,
    }
    statement = _SQLITE_CLAIM_ANY
    if types is not None:
        statement = _SQLITE_CLAIM_BY_TYPE
        parameters["types"] = list(types)
    return [row._mapping for row in (await conn.execute(statement, parameters)).all()]


_SQLITE_COMPLETE = sa.text(
    """
    UPDATE jobs
    SET status = 'completed', result = done.result, progress = 1.0, completed_at = :now,
        updated_at = :now, locked_by = NULL, lease_expires_at = NULL
    FROM (SELECT value ->> '$.id' AS id, value -> '$.result' AS result
          FROM json_each(:payload)) AS done
    WHERE jobs.id = done.id AND jobs.locked_by = :worker AND jobs.status = 'processing'
    RETURNING jobs.id
    """
).bindparams(sa.bindparam("now", type_=UtcDateTime()))


async def sqlite_complete(
    conn: AsyncConnection, *, worker_id: str, completions: Sequence[Completion], now: datetime
) -> set[int]:
    payload = json.dumps([{"id": c.job_id, "result": c.result} for c in completions])
    rows = await conn.execute(
        _SQLITE_COMPLETE, {"payload": payload, "worker": worker_id, "now": now}
    )
    return {row.id for row in rows}


async def sqlite_insert_many(
    conn: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]
) -> list[int]:
    """executemany, then the ids: the transaction holds SQLite's write lock from BEGIN
    IMMEDIATE and the table is AUTOINCREMENT, so the new ids are the last len(rows) ones."""
    await conn.execute(sa.insert(table), rows)
    last = (await conn.execute(sa.select(sa.func.max(table.c.id)))).scalar_one()
    return list(range(last - len(rows) + 1, last + 1))


# -- one job, outside any transaction ----------------------------------------------------------
# A lone INSERT is atomic by itself; sent straight to the driver it costs one round trip
# (PostgreSQL) or one hop to the SQLite thread, instead of BEGIN, INSERT and COMMIT.

_INSERT_ONE_COLUMNS = (
    "type, status, priority, progress, parameters, errors, attempts, max_attempts, run_at,"
    " owner_id, created_at, updated_at"
)
_PG_INSERT_ONE = f"""
INSERT INTO jobs ({_INSERT_ONE_COLUMNS})
VALUES ($1, 'queued', $2, 0, $3::jsonb, '[]'::jsonb, 0, $4, $5, $6, $7, $7)
RETURNING id
"""
_SQLITE_INSERT_ONE = f"""
INSERT INTO jobs ({_INSERT_ONE_COLUMNS})
VALUES (?, 'queued', ?, 0, ?, '[]', 0, ?, ?, ?, ?, ?)
"""


def _sqlite_timestamp(moment: datetime) -> str:
    # The text UtcDateTime stores on SQLite: naive UTC with microseconds.
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def insert_one_unkeyed(conn: AsyncConnection, job: NewJob, now: datetime) -> int:
    """Insert one job without an idempotency key on an autocommit (PostgreSQL) or idle
    (SQLite) connection; returns its id."""
    parameters = json.dumps(job.parameters)
    run_at = job.run_at or now
    if conn.dialect.name == "postgresql":
        (row,) = await _pg_fetch(
            conn,
            _PG_INSERT_ONE,
            job.type,
            job.priority,
            parameters,
            job.max_attempts,
            run_at,
            job.owner_id,
            now,
        )
        return int(row["id"])
    stamp = _sqlite_timestamp(now)
    driver = await _driver(conn)
    inserted = await driver.execute_insert(
        _SQLITE_INSERT_ONE,
        (
            job.type,
            job.priority,
            parameters,
            job.max_attempts,
            _sqlite_timestamp(run_at),
            job.owner_id,
            stamp,
            stamp,
        ),
    )
    return int(inserted[0])
