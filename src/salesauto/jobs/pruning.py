"""Deleting old rows in short batches: each batch its own write transaction, so a big prune
never holds SQLite's write lock (or PostgreSQL row locks) for long."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from salesauto.jobs.queue import Queue


async def delete_in_batches(
    queue: Queue, table: sa.Table, key: sa.Column[Any], *where: Any, batch_size: int
) -> int:
    """Delete the rows of `table` matching `where`, `batch_size` at a time; how many went."""
    deleted = 0
    while True:
        chosen = sa.select(key).where(*where).limit(batch_size).scalar_subquery()

        async def write(chosen: Any = chosen) -> int:
            async with queue.engine.begin() as conn:
                result = await conn.execute(sa.delete(table).where(key.in_(chosen)))
                return result.rowcount or 0

        batch = await queue.write(write)
        deleted += batch
        if batch < batch_size:
            return deleted
