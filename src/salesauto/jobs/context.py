"""What a running job's handler can see and do: its attempt, progress, per-item results,
and a checkpoint that survives the attempt."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.jobs import repository
from salesauto.kit.aio import wait_event
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import Job, JobEvent, JobResult

if TYPE_CHECKING:
    from salesauto.jobs.queue import Queue


class LeaseLost(Exception):
    """Another worker owns this job now; whatever this attempt produces must be discarded."""


@dataclass
class JobContext:
    job_id: int
    job_type: str
    attempt: int
    max_attempts: int
    owner_id: str
    queue: Queue
    worker_id: str
    # The process's long-lived parts (the Platform: provider clients…), for handlers that
    # call providers. Typed loosely so the queue does not depend on what runs on it.
    services: Any = None
    _last_progress_at: float = field(default=0.0, repr=False)
    _cancel: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def request_cancel(self) -> None:
        self._cancel.set()

    async def wait_cancelled(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds; True as soon as cancellation is requested."""
        return await wait_event(self._cancel, timeout)

    async def progress(
        self, fraction: float, message: str | None = None, *, force: bool = False
    ) -> None:
        """Report progress (0–1). Writes at most once a second unless `force`."""
        now = time.monotonic()
        if not force and now - self._last_progress_at < 1.0 and fraction < 1.0:
            return
        self._last_progress_at = now
        fraction = min(1.0, max(0.0, fraction))

        async def write() -> bool:
            async with self.queue.engine.begin() as conn:
                return await repository.set_progress(
                    conn,
                    worker_id=self.worker_id,
                    job_id=self.job_id,
                    progress=fraction,
                    message=message,
                    now=utcnow(),
                )

        if not await self.queue.write(write):
            raise LeaseLost(f"job {self.job_id} is no longer held by this worker")
        self.queue.notifier.events_written()

    async def load_checkpoint(self) -> Any:
        """What an earlier attempt of this job saved with `save_checkpoint` (None if nothing)."""
        jobs = table_of(Job)
        async with self.queue.engine.connect() as conn:
            query = sa.select(jobs.c.checkpoint).where(jobs.c.id == self.job_id)
            return (await conn.execute(query)).scalar()

    async def save_checkpoint(self, state: Any, conn: AsyncConnection | None = None) -> None:
        """Record where this attempt stands (JSON), for the next attempt to resume from.

        Pass the transaction that writes the work `state` describes: both commit or neither
        does. Raises LeaseLost when another worker holds the job now, which rolls that
        transaction back too: a fenced-off attempt cannot commit work or move the checkpoint.
        """
        jobs = table_of(Job)
        statement = (
            sa.update(jobs)
            .where(
                jobs.c.id == self.job_id,
                jobs.c.locked_by == self.worker_id,
                jobs.c.status == "processing",
            )
            .values(checkpoint=state)
        )

        async def write(conn: AsyncConnection) -> bool:
            return (await conn.execute(statement)).rowcount > 0

        if conn is not None:
            saved = await write(conn)
        else:

            async def own() -> bool:
                async with self.queue.engine.begin() as conn:
                    return await write(conn)

            saved = await self.queue.write(own)
        if not saved:
            raise LeaseLost(f"job {self.job_id} is no longer held by this worker")

    async def publish(self, event: str, data: dict[str, Any]) -> None:
        """Put an event of this job (`agent.turn`, …) on its event stream: the same outbox
        the state changes go to, so `/ws` clients of the workspace receive it in order."""
        jobs, events = table_of(Job), table_of(JobEvent)
        # Copied from the job row while this worker holds it: the event carries the job's
        # current state like every other event, and a lost lease writes nothing.
        current = sa.select(
            jobs.c.id,
            jobs.c.owner_id,
            jobs.c.type,
            sa.literal(event, sa.String),
            jobs.c.status,
            jobs.c.progress,
            jobs.c.progress_message,
            jobs.c.attempts,
            jobs.c.error,
            sa.literal(utcnow(), events.c.created_at.type),
            sa.literal(data, events.c.data.type),
        ).where(jobs.c.id == self.job_id, jobs.c.locked_by == self.worker_id)
        columns = ["job_id", "owner_id", "job_type", "event", "status", "progress"]
        columns += ["progress_message", "attempts", "error", "created_at", "data"]

        async def write() -> int:
            async with self.queue.engine.begin() as conn:
                inserted = await conn.execute(sa.insert(events).from_select(columns, current))
                return inserted.rowcount

        if not await self.queue.write(write):
            raise LeaseLost(f"job {self.job_id} is no longer held by this worker")
        self.queue.notifier.events_written()

    async def add_results(self, items: list[dict[str, Any]]) -> None:
        """Store per-item outcomes: dicts with `item_key`, `status`, optional `data`, `error`."""
        if not items:
            return
        rows = [
            {
                "job_id": self.job_id,
                "item_key": item.get("item_key"),
                "status": item["status"],
                "data": item.get("data"),
                "error": item.get("error"),
                "created_at": utcnow(),
            }
            for item in items
        ]

        async def write() -> None:
            async with self.queue.engine.begin() as conn:
                await conn.execute(sa.insert(table_of(JobResult)).values(rows))

        await self.queue.write(write)
