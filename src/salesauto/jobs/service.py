"""Use cases of the jobs API and CLI: submit, read, list, cancel, retry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.jobs.queue import Enqueued, Queue
from salesauto.jobs.registry import get_job_type, validate_parameters
from salesauto.jobs.repository import NewJob
from salesauto.jobs.schemas import JobResultView, JobSubmit, JobView
from salesauto.kit.errors import Conflict, InvalidInput, NotFound
from salesauto.kit.pagination import decode_cursor, encode_cursor
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import JOB_STATUSES, Job, JobResult

jobs = table_of(Job)
job_results = table_of(JobResult)


def job_view(row: Any) -> JobView:
    return JobView(
        id=str(row.id),
        type=row.type,
        status=row.status,
        priority=row.priority,
        progress=row.progress,
        progress_message=row.progress_message,
        parameters=row.parameters or {},
        result=row.result,
        error=row.error,
        errors=list(row.errors or []),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        run_at=row.run_at,
        created_at=row.created_at,
        started_at=row.started_at,
        completed_at=row.completed_at,
        cancel_requested=row.cancel_requested_at is not None,
    )


def parse_job_id(job_id: str | int) -> int:
    try:
        value = int(job_id)
    except ValueError:
        raise NotFound(f"job {job_id!r} not found") from None
    if not 0 < value < 2**63:  # a BIGINT: larger ids exist nowhere and overflow the query
        raise NotFound(f"job {job_id!r} not found")
    return value


class JobService:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def new_job(self, submit: JobSubmit, owner_id: str) -> NewJob:
        job_type = get_job_type(submit.type)
        parameters = validate_parameters(submit.type, submit.parameters)
        return NewJob(
            type=submit.type,
            parameters=parameters,
            priority=submit.priority_value,
            run_at=submit.run_at,
            max_attempts=submit.max_attempts
            or job_type.max_attempts
            or self.queue.settings.job_max_attempts,
            idempotency_key=submit.idempotency_key,
            owner_id=owner_id,
        )

    async def submit(self, submit: JobSubmit, owner_id: str) -> Enqueued:
        return await self.queue.enqueue(self.new_job(submit, owner_id))

    async def submit_many(self, submit: JobSubmit, count: int, owner_id: str) -> list[int]:
        if count < 1:
            raise InvalidInput("count must be at least 1", field="count")
        if submit.idempotency_key is not None and count > 1:
            raise InvalidInput("an idempotency key names one job; drop it or use count 1")
        job = self.new_job(submit, owner_id)
        return await self.queue.enqueue_many([job] * count)

    async def get(self, job_id: str | int, owner_id: str) -> JobView:
        async with self.queue.engine.connect() as conn:
            row = await _fetch(conn, parse_job_id(job_id), owner_id)
        return job_view(row)

    async def list_jobs(
        self,
        owner_id: str,
        *,
        status: str | None = None,
        type: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[JobView], str | None]:
        if status is not None and status not in JOB_STATUSES:
            raise InvalidInput(
                f"unknown status {status!r}; use one of {', '.join(JOB_STATUSES)}", field="status"
            )
        query = sa.select(jobs).where(jobs.c.owner_id == owner_id)
        if status is not None:
            query = query.where(jobs.c.status == status)
        if type is not None:
            query = query.where(jobs.c.type == type)
        if cursor is not None:
            query = query.where(jobs.c.id < decode_cursor(cursor))
        query = query.order_by(jobs.c.id.desc()).limit(limit + 1)
        async with self.queue.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        page = rows[:limit]
        next_cursor = encode_cursor(page[-1].id) if len(rows) > limit else None
        return [job_view(row) for row in page], next_cursor

    async def results(
        self, job_id: str | int, owner_id: str, *, cursor: str | None = None, limit: int = 100
    ) -> tuple[list[JobResultView], str | None]:
        async with self.queue.engine.connect() as conn:
            row = await _fetch(conn, parse_job_id(job_id), owner_id)
            query = sa.select(job_results).where(job_results.c.job_id == row.id)
            if cursor is not None:
                query = query.where(job_results.c.id > decode_cursor(cursor))
            rows = (await conn.execute(query.order_by(job_results.c.id).limit(limit + 1))).all()
        page = rows[:limit]
        items = [
            JobResultView(
                id=str(r.id),
                item_key=r.item_key,
                status=r.status,
                data=r.data,
                error=r.error,
                created_at=r.created_at,
            )
            for r in page
        ]
        return items, encode_cursor(page[-1].id) if len(rows) > limit else None

    async def cancel(self, job_id: str | int, owner_id: str) -> JobView:
        """Cancel a queued job at once, or ask the worker running it to stop.

        Settles races with the worker through guarded updates: exactly one of "cancelled"
        and "completed" wins; a job already finished answers 409.
        """
        job_key = parse_job_id(job_id)
        for _ in range(5):
            outcome = await self.queue.write(lambda: self._try_cancel(job_key, owner_id))
            if outcome == "requested":
                self.queue.notifier.cancel_requested(job_key)
            elif outcome == "cancelled":
                self.queue.notifier.events_written()
            if outcome != "raced":
                return await self.get(job_key, owner_id)
        raise Conflict(f"job {job_key} changed state while cancelling; try again")

    async def _try_cancel(self, job_id: int, owner_id: str) -> str:
        now = utcnow()
        async with self.queue.engine.begin() as conn:
            row = await _fetch(conn, job_id, owner_id)
            if row.status == "queued":
                done = await conn.execute(
                    sa.update(jobs)
                    .where(jobs.c.id == job_id, jobs.c.status == "queued")
                    .values(
                        status="cancelled",
                        error="cancelled on request",
                        cancel_requested_at=now,
                        completed_at=now,
                        updated_at=now,
                    )
                    .returning(jobs.c.id)
                )
                return "cancelled" if done.first() else "raced"
            if row.status == "processing":
                if row.cancel_requested_at is not None:
                    return "requested"
                done = await conn.execute(
                    sa.update(jobs)
                    .where(jobs.c.id == job_id, jobs.c.status == "processing")
                    .values(cancel_requested_at=now, updated_at=now)
                    .returning(jobs.c.id)
                )
                return "requested" if done.first() else "raced"
        raise Conflict(
            f"job {job_id} is already {row.status}; "
            "only queued or processing jobs can be cancelled",
            status=row.status,
        )

    async def retry(self, job_id: str | int, owner_id: str) -> JobView:
        """Queue a failed or cancelled job again with a fresh set of attempts."""
        job_key = parse_job_id(job_id)

        async def write() -> None:
            now = utcnow()
            async with self.queue.engine.begin() as conn:
                row = await _fetch(conn, job_key, owner_id)
                if row.status not in ("failed", "cancelled"):
                    raise Conflict(
                        f"job {job_key} is {row.status}; "
                        "only failed or cancelled jobs can be retried",
                        status=row.status,
                    )
                await conn.execute(
                    sa.update(jobs)
                    .where(jobs.c.id == job_key, jobs.c.status.in_(("failed", "cancelled")))
                    .values(
                        status="queued",
                        attempts=0,
                        run_at=now,
                        error=None,
                        progress=0.0,
                        progress_message=None,
                        cancel_requested_at=None,
                        completed_at=None,
                        started_at=None,
                        updated_at=now,
                    )
                )

        await self.queue.write(write)
        self.queue.notifier.jobs_available()
        return await self.get(job_key, owner_id)

    async def counts_by_status_and_type(self) -> Sequence[tuple[str, str, int]]:
        query = sa.select(jobs.c.status, jobs.c.type, sa.func.count()).group_by(
            jobs.c.status, jobs.c.type
        )
        async with self.queue.engine.connect() as conn:
            return [(r[0], r[1], r[2]) for r in (await conn.execute(query)).all()]


async def _fetch(conn: AsyncConnection, job_id: int, owner_id: str) -> Any:
    row = (
        await conn.execute(sa.select(jobs).where(jobs.c.id == job_id, jobs.c.owner_id == owner_id))
    ).first()
    if row is None:
        raise NotFound(f"job {job_id} not found")
    return row
