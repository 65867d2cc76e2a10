"""The hourly prune removes finished jobs and old events, never live ones."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from salesauto.jobs.repository import NewJob
from salesauto.jobs.schemas import JobSubmit
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import Job
from salesauto.platform import Platform
from tests.support.waiting import scalar, wait_for_job


async def test_prune_deletes_only_old_finished_jobs(platform: Platform) -> None:
    old_done, old_queued, fresh_done = await platform.queue.enqueue_many(
        [NewJob(type="noop"), NewJob(type="noop"), NewJob(type="noop")]
    )
    long_ago = utcnow() - timedelta(days=30)
    jobs = table_of(Job)
    async with platform.engine.begin() as conn:
        await conn.execute(
            sa.update(jobs)
            .where(jobs.c.id == old_done)
            .values(status="completed", completed_at=long_ago)
        )
        await conn.execute(
            sa.update(jobs).where(jobs.c.id == old_queued).values(created_at=long_ago)
        )
        await conn.execute(
            sa.update(jobs)
            .where(jobs.c.id == fresh_done)
            .values(status="completed", completed_at=utcnow())
        )
    platform.start_worker(concurrency=2, scheduler=False)
    prune = await platform.jobs.submit(JobSubmit(type="jobs.prune"), "default")
    job = await wait_for_job(platform, prune.job_id, ("completed",))

    assert job.result["deleted"]["jobs"] == 1
    remaining = await scalar(
        platform.engine, "SELECT count(*) FROM jobs WHERE id = :id", id=old_done
    )
    assert remaining == 0
    assert (
        await scalar(platform.engine, "SELECT count(*) FROM jobs WHERE id = :id", id=fresh_done)
        == 1
    )
