"""The step machinery itself: fenced outcome writes, run reports, retries of failed contacts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from salesauto.jobs.context import JobContext, LeaseLost
from salesauto.jobs.repository import NewJob
from salesauto.jobs.schemas import JobSubmit
from salesauto.kit.errors import InvalidInput
from salesauto.kit.time import utcnow
from salesauto.pipeline.maintenance import CACHE
from salesauto.pipeline.selection import _shares
from salesauto.pipeline.service import retry_failed_run, run_report
from salesauto.pipeline.steps import JOBS, RESULTS, Chain, StepReport, finish_step
from salesauto.platform import Platform
from tests.support.waiting import wait_for_job


def test_a_budget_is_shared_in_proportion_and_never_exceeded() -> None:
    assert _shares(1000, [1000, 1000, 345]) == [427, 426, 147]
    assert sum(_shares(7, [1, 1, 1])) == 7
    assert _shares(0, [500, 10]) == [0, 0]


async def _job(platform: Platform, job_type: str, parameters: dict[str, object]) -> int:
    return (await platform.queue.enqueue(NewJob(type=job_type, parameters=parameters))).job_id


async def _finish(platform: Platform, job_id: int, outcomes: dict[str, str]) -> None:
    """Mark the job completed with these per-contact outcomes."""
    async with platform.engine.begin() as conn:
        await conn.execute(sa.update(JOBS).where(JOBS.c.id == job_id).values(status="completed"))
        await conn.execute(
            sa.insert(RESULTS),
            [
                {"job_id": job_id, "item_key": email, "status": status, "created_at": utcnow()}
                for email, status in outcomes.items()
            ],
        )


async def test_a_step_that_lost_its_lease_writes_nothing(platform: Platform) -> None:
    job_id = await _job(platform, "pipeline.sync_hubspot", {"emails": ["ann@acme.com"]})
    context = JobContext(
        job_id=job_id,
        job_type="pipeline.sync_hubspot",
        attempt=1,
        max_attempts=5,
        owner_id="default",
        queue=platform.queue,
        worker_id="w-gone",
    )
    report = StepReport("sync")
    report.record("ann@acme.com", "done")

    with pytest.raises(LeaseLost):
        await finish_step(context, report, chain=Chain(outreach=True, campaign_id="cam_1"))

    async with platform.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(RESULTS)) == 0
        assert await conn.scalar(sa.select(sa.func.count()).select_from(JOBS)) == 1


async def test_a_run_counts_final_outcomes_and_retries_only_the_failed(
    platform: Platform,
) -> None:
    chain = {"sync": True, "run_id": "run-1"}
    first = await _job(
        platform,
        "pipeline.sync_hubspot",
        {"emails": ["ann@a.com", "bob@b.com", "cy@c.com"], "chain": chain, "overwrite": "always"},
    )
    await _finish(
        platform, first, {"ann@a.com": "done", "bob@b.com": "retrying", "cy@c.com": "retrying"}
    )
    last_round = await _job(
        platform, "pipeline.sync_hubspot", {"emails": ["bob@b.com", "cy@c.com"], "chain": chain}
    )
    await _finish(platform, last_round, {"bob@b.com": "failed", "cy@c.com": "done"})

    report = await run_report(platform.queue, "default", "run-1")

    assert report["status"] == "finished_with_failures"
    [sync] = report["steps"]
    assert (sync["done"], sync["failed"], sync["retrying"]) == (2, 1, 0)
    assert report["funnel"]["synced"] == 2

    [retry_id] = await retry_failed_run(platform.queue, "default", "run-1")
    again = await platform.jobs.get(retry_id, "default")
    assert again.type == "pipeline.sync_hubspot"
    assert again.parameters["emails"] == ["bob@b.com"]
    assert again.parameters["overwrite"] == "always"  # the step's own settings kept
    assert again.parameters["chain"]["run_id"] == "run-1"
    # Asked again while that retry is pending: the same job, not a second one.
    assert await retry_failed_run(platform.queue, "default", "run-1") == [retry_id]

    await _finish(platform, retry_id, {"bob@b.com": "done"})
    assert (await run_report(platform.queue, "default", "run-1"))["status"] == "finished"
    with pytest.raises(InvalidInput, match="no failed contacts"):
        await retry_failed_run(platform.queue, "default", "run-1")


async def test_expired_enrichment_answers_are_pruned_and_fresh_ones_kept(
    platform: Platform,
) -> None:
    now = utcnow()
    async with platform.engine.begin() as conn:
        await conn.execute(
            sa.insert(CACHE),
            [
                {
                    "key": f"explorium:company:old{i}.com",
                    "source": "explorium",
                    "data": {},
                    "cached_at": now - timedelta(days=40),
                    "expires_at": now - timedelta(days=10),
                }
                for i in range(7)
            ]
            + [
                {
                    "key": "explorium:company:fresh.com",
                    "source": "explorium",
                    "data": {"name": "Fresh"},
                    "cached_at": now,
                    "expires_at": now + timedelta(days=30),
                }
            ],
        )
    platform.start_worker()

    submitted = await platform.jobs.submit(
        JobSubmit(type="enrichment.prune", parameters={"batch_size": 3}), "default"
    )
    job = await wait_for_job(platform, submitted.job_id, ("completed", "failed"))

    assert job.status == "completed", job.error
    assert job.result == {"deleted": 7}
    async with platform.engine.connect() as conn:
        keys = (await conn.execute(sa.select(CACHE.c.key))).scalars().all()
    assert keys == ["explorium:company:fresh.com"]
