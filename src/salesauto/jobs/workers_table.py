"""Rows of live workers: readiness and observability only, never used to recover jobs."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.models.base import table_of
from salesauto.models.jobs import Worker

workers = table_of(Worker)


async def upsert_worker(
    conn: AsyncConnection,
    *,
    worker_id: str,
    hostname: str,
    pid: int,
    concurrency: int,
    now: datetime,
) -> None:
    updated = await conn.execute(
        sa.update(workers).where(workers.c.id == worker_id).values(last_seen_at=now)
    )
    if updated.rowcount == 0:
        await conn.execute(
            sa.insert(workers).values(
                id=worker_id,
                hostname=hostname,
                pid=pid,
                concurrency=concurrency,
                started_at=now,
                last_seen_at=now,
            )
        )


async def remove_worker(conn: AsyncConnection, worker_id: str) -> None:
    await conn.execute(sa.delete(workers).where(workers.c.id == worker_id))


async def last_worker_heartbeat(conn: AsyncConnection) -> datetime | None:
    result = await conn.execute(sa.select(sa.func.max(workers.c.last_seen_at)))
    latest: datetime | None = result.scalar_one_or_none()
    return latest
