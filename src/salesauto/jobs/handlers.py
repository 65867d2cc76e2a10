"""Built-in job types: diagnostics (`noop`, `sleep`) and queue maintenance (`jobs.prune`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import Field

from salesauto.jobs.context import JobContext
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import FINISHED_STATUSES, CronRun, Job, JobEvent


class NoopParameters(JobParameters):
    pass


@job_type("noop", NoopParameters)
async def run_noop(context: JobContext, parameters: NoopParameters) -> dict[str, Any]:
    """Does nothing and completes at once (a health check of the queue, and its benchmark)."""
    return {"ok": True}


class SleepParameters(JobParameters):
    seconds: float = Field(1.0, ge=0, le=86_400, description="How long to sleep.")


@job_type("sleep", SleepParameters)
async def run_sleep(context: JobContext, parameters: SleepParameters) -> dict[str, Any]:
    """Sleeps for `seconds`, reporting progress every second; stops early when cancelled."""
    total = parameters.seconds
    slept = 0.0
    while slept < total:
        step = min(1.0, total - slept)
        if await context.wait_cancelled(step):
            return {"slept": slept, "cancelled": True}
        slept += step
        await context.progress(slept / total if total else 1.0, f"slept {slept:g}s of {total:g}s")
    return {"slept": total}


class PruneParameters(JobParameters):
    job_retention_days: float | None = Field(None, gt=0)
    event_retention_hours: float | None = Field(None, gt=0)
    batch_size: int = Field(1000, ge=1, le=100_000)


@job_type("jobs.prune", PruneParameters)
async def prune_finished_jobs(context: JobContext, parameters: PruneParameters) -> dict[str, Any]:
    """Deletes finished jobs, job events and cron records past their retention, in batches."""
    settings = context.queue.settings
    now = utcnow()
    jobs_before = now - timedelta(days=parameters.job_retention_days or settings.job_retention_days)
    events_before = now - timedelta(
        hours=parameters.event_retention_hours or settings.event_retention_hours
    )
    jobs = table_of(Job)
    deleted = {"jobs": 0, "job_events": 0, "cron_runs": 0}

    async def delete_batch(statement: Any) -> int:
        async def write() -> int:
            async with context.queue.engine.begin() as conn:
                return (await conn.execute(statement)).rowcount or 0

        return await context.queue.write(write)

    while True:
        old = (
            sa.select(jobs.c.id)
            .where(jobs.c.status.in_(FINISHED_STATUSES), jobs.c.completed_at < jobs_before)
            .limit(parameters.batch_size)
        )
        count = await delete_batch(sa.delete(jobs).where(jobs.c.id.in_(old.scalar_subquery())))
        deleted["jobs"] += count
        if count < parameters.batch_size:
            break
    events = table_of(JobEvent)
    deleted["job_events"] = await delete_batch(
        sa.delete(events).where(events.c.created_at < events_before)
    )
    cron = table_of(CronRun)
    deleted["cron_runs"] = await delete_batch(sa.delete(cron).where(cron.c.fire_at < jobs_before))
    return {"deleted": deleted}
