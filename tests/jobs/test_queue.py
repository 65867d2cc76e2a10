"""The queue as users see it through the service: states, order, retries, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.jobs import repository
from salesauto.jobs.repository import ClaimedJob, Completion, NewJob
from salesauto.jobs.schemas import JobSubmit
from salesauto.kit.errors import Conflict, InvalidInput, NotFound
from salesauto.kit.time import utcnow
from salesauto.platform import Platform
from tests.support.waiting import eventually, scalar, wait_for_job


async def events_of(platform: Platform, job_id: int | str) -> list[str]:
    async with platform.engine.connect() as conn:
        rows = await conn.execute(
            sa.text("SELECT event FROM job_events WHERE job_id = :id ORDER BY id"),
            {"id": int(job_id)},
        )
        return [row.event for row in rows]


async def claim(
    conn: AsyncConnection,
    worker_id: str,
    *,
    limit: int = 1,
    now: datetime | None = None,
    lease_seconds: float = 30,
) -> list[ClaimedJob]:
    """Claim as a worker would, with a lease of `lease_seconds` from `now`."""
    now = now or utcnow()
    return await repository.claim_jobs(
        conn,
        worker_id=worker_id,
        limit=limit,
        now=now,
        lease_until=now + timedelta(seconds=lease_seconds),
    )


async def test_noop_job_completes_with_an_event_per_state(platform: Platform) -> None:
    platform.start_worker(concurrency=4, scheduler=False)
    enqueued = await platform.jobs.submit(JobSubmit(type="noop"), "default")

    job = await wait_for_job(platform, enqueued.job_id, ("completed",))

    assert job.result == {"ok": True}
    assert job.attempts == 1
    assert job.progress == 1.0
    assert job.started_at is not None and job.completed_at is not None
    assert await events_of(platform, job.id) == ["job.queued", "job.started", "job.completed"]


async def test_sleep_job_reports_progress(platform: Platform) -> None:
    platform.start_worker(concurrency=2, scheduler=False)
    enqueued = await platform.jobs.submit(
        JobSubmit(type="sleep", parameters={"seconds": 2.2}), "default"
    )

    job = await wait_for_job(platform, enqueued.job_id, ("completed",))

    events = await events_of(platform, job.id)
    assert events[0:2] == ["job.queued", "job.started"]
    assert events[-1] == "job.completed"
    assert "job.progress" in events
    assert job.result == {"slept": 2.2}


async def test_higher_priority_is_claimed_first(platform: Platform) -> None:
    ids = {}
    for name, priority in (("low", "low"), ("critical", "critical"), ("normal", 0)):
        enqueued = await platform.jobs.submit(JobSubmit(type="noop", priority=priority), "default")
        ids[enqueued.job_id] = name
    claimed_order = []
    for _ in range(3):
        async with platform.engine.begin() as conn:
            (job,) = await claim(conn, "w1")
        claimed_order.append(ids[job.id])
    assert claimed_order == ["critical", "normal", "low"]


async def test_future_run_at_waits(platform: Platform) -> None:
    later = utcnow() + timedelta(hours=1)
    await platform.jobs.submit(JobSubmit(type="noop", run_at=later), "default")
    async with platform.engine.begin() as conn:
        claimed = await claim(conn, "w1", limit=10)
    assert claimed == []


async def test_concurrent_submits_with_one_idempotency_key_make_one_job(
    platform: Platform,
) -> None:
    body = JobSubmit(type="noop", idempotency_key="import-2026-11-25")
    results = await asyncio.gather(*(platform.jobs.submit(body, "default") for _ in range(8)))

    assert len({r.job_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert await scalar(platform.engine, "SELECT count(*) FROM jobs") == 1


async def test_unknown_type_and_bad_parameters_are_refused(platform: Platform) -> None:
    with pytest.raises(InvalidInput, match=r"known types: .*noop.*sleep"):
        await platform.jobs.submit(JobSubmit(type="enrich-everything"), "default")
    with pytest.raises(InvalidInput, match="seconds"):
        await platform.jobs.submit(
            JobSubmit(type="sleep", parameters={"seconds": "soon"}), "default"
        )
    with pytest.raises(NotFound):
        await platform.jobs.get("424242", "default")
    assert await scalar(platform.engine, "SELECT count(*) FROM jobs") == 0


async def test_failing_job_retries_with_backoff_then_fails_with_history(
    platform: Platform,
) -> None:
    platform.start_worker(concurrency=2, scheduler=False)
    enqueued = await platform.jobs.submit(JobSubmit(type="test.fail", max_attempts=3), "default")

    job = await wait_for_job(platform, enqueued.job_id, ("failed",))

    assert job.attempts == 3
    assert [e["attempt"] for e in job.errors] == [1, 2, 3]
    assert job.error == "RuntimeError: provider said no (attempt 3)"
    times = [datetime.fromisoformat(e["at"]) for e in job.errors]
    base = platform.settings.job_retry_base_seconds
    # Each retry waited at least the jittered backoff: base·2^(n-1)·0.8.
    assert (times[1] - times[0]).total_seconds() >= base * 0.8
    assert (times[2] - times[1]).total_seconds() >= base * 2 * 0.8
    assert (await events_of(platform, job.id)).count("job.queued") == 3


async def test_flaky_job_succeeds_on_a_later_attempt(platform: Platform) -> None:
    platform.start_worker(concurrency=2, scheduler=False)
    enqueued = await platform.jobs.submit(
        JobSubmit(type="test.fail", parameters={"succeed_on_attempt": 2}), "default"
    )
    job = await wait_for_job(platform, enqueued.job_id, ("completed",))
    assert job.attempts == 2
    assert job.result == {"succeeded_on": 2}
    assert len(job.errors) == 1


async def test_retry_requeues_a_failed_job(platform: Platform) -> None:
    platform.start_worker(concurrency=2, scheduler=False)
    enqueued = await platform.jobs.submit(JobSubmit(type="test.fail", max_attempts=1), "default")
    await wait_for_job(platform, enqueued.job_id, ("failed",))

    retried = await platform.jobs.retry(enqueued.job_id, "default")
    assert retried.status in ("queued", "processing", "failed")
    job = await wait_for_job(platform, enqueued.job_id, ("failed",))
    assert len(job.errors) == 2
    with pytest.raises(Conflict):
        await platform.jobs.retry(
            (await platform.jobs.submit(JobSubmit(type="noop"), "default")).job_id, "default"
        )


async def test_cancelled_queued_job_never_runs(platform: Platform) -> None:
    enqueued = await platform.jobs.submit(JobSubmit(type="noop"), "default")
    cancelled = await platform.jobs.cancel(enqueued.job_id, "default")
    assert cancelled.status == "cancelled"

    platform.start_worker(concurrency=2, scheduler=False)
    marker = await platform.jobs.submit(JobSubmit(type="noop"), "default")
    await wait_for_job(platform, marker.job_id, ("completed",))
    job = await platform.jobs.get(enqueued.job_id, "default")
    assert job.status == "cancelled"
    assert job.started_at is None and job.attempts == 0


async def test_cancelling_a_running_job_stops_it(platform: Platform) -> None:
    platform.start_worker(concurrency=2, scheduler=False)
    enqueued = await platform.jobs.submit(
        JobSubmit(type="sleep", parameters={"seconds": 60}), "default"
    )
    await wait_for_job(platform, enqueued.job_id, ("processing",))

    requested = await platform.jobs.cancel(enqueued.job_id, "default")
    assert requested.cancel_requested

    job = await wait_for_job(platform, enqueued.job_id, ("cancelled",), timeout=5)
    assert job.error == "cancelled on request"
    with pytest.raises(Conflict, match="already cancelled"):
        await platform.jobs.cancel(enqueued.job_id, "default")


async def test_cancel_racing_completion_ends_in_exactly_one_state(platform: Platform) -> None:
    ids = await platform.queue.enqueue_many([NewJob(type="noop") for _ in range(200)])
    platform.start_worker(concurrency=16, scheduler=False)

    async def cancel(job_id: int) -> None:
        with contextlib.suppress(Conflict):  # it finished first
            await platform.jobs.cancel(job_id, "default")

    await asyncio.gather(*(cancel(i) for i in ids))
    await eventually(
        lambda: scalar(
            platform.engine,
            "SELECT count(*) FROM jobs WHERE status IN ('queued', 'processing')",
        ),
        lambda remaining: remaining == 0,
    )
    async with platform.engine.connect() as conn:
        terminal = await conn.execute(
            sa.text(
                "SELECT job_id, count(*) AS n FROM job_events WHERE event IN "
                "('job.completed', 'job.cancelled', 'job.failed') GROUP BY job_id"
            )
        )
        counts = {row.job_id: row.n for row in terminal}
    assert sorted(counts) == sorted(ids)
    assert set(counts.values()) == {1}


async def test_a_fenced_worker_cannot_complete_a_rescued_job(platform: Platform) -> None:
    enqueued = await platform.jobs.submit(JobSubmit(type="noop"), "default")
    now = utcnow()
    async with platform.engine.begin() as conn:
        (claimed_by_a,) = await claim(conn, "worker-a", now=now, lease_seconds=1)
    # Worker A is paused past its lease; any worker's sweep gives the job back.
    later = now + timedelta(seconds=5)
    async with platform.engine.begin() as conn:
        (expired,) = await repository.find_expired_leases(conn, now=later)
        assert await repository.rescue_expired(conn, lease=expired, now=later, retry_at=later)
        (claimed_by_b,) = await claim(conn, "worker-b", now=later)
        assert claimed_by_b.id == claimed_by_a.id == enqueued.job_id
        assert claimed_by_b.attempts == 2
        done_b = await repository.complete_many(
            conn, worker_id="worker-b", completions=[Completion(enqueued.job_id, "B")], now=later
        )
    async with platform.engine.begin() as conn:
        done_a = await repository.complete_many(
            conn, worker_id="worker-a", completions=[Completion(enqueued.job_id, "A")], now=later
        )
    assert done_b == {enqueued.job_id}
    assert done_a == set()
    job = await platform.jobs.get(enqueued.job_id, "default")
    assert job.status == "completed" and job.result == "B"
    assert "lease expired" in job.errors[0]["error"]


async def test_list_filters_and_pages_without_gaps(platform: Platform) -> None:
    await platform.queue.enqueue_many([NewJob(type="noop") for _ in range(7)])
    await platform.queue.enqueue_many([NewJob(type="sleep", parameters={"seconds": 1})] * 3)
    seen: list[str] = []
    cursor = None
    while True:
        items, cursor = await platform.jobs.list_jobs(
            "default", type="noop", cursor=cursor, limit=3
        )
        seen.extend(item.id for item in items)
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen, key=int, reverse=True)
    queued, _ = await platform.jobs.list_jobs("default", status="queued", limit=50)
    assert len(queued) == 10
    with pytest.raises(InvalidInput, match="unknown status"):
        await platform.jobs.list_jobs("default", status="done")
    with pytest.raises(InvalidInput, match="cursor"):
        await platform.jobs.list_jobs("default", cursor="not-a-cursor")


@pytest.mark.parametrize("kind", ["object", "nan", "nul"])
async def test_an_unstorable_result_fails_its_job_only(platform: Platform, kind: str) -> None:
    platform.start_worker(concurrency=8, scheduler=False)
    bad = await platform.jobs.submit(
        JobSubmit(type="test.bad_result", parameters={"kind": kind}), "default"
    )
    good = await platform.queue.enqueue_many([NewJob(type="noop") for _ in range(20)])

    job = await wait_for_job(platform, bad.job_id, ("failed",))
    assert "not JSON-serialisable" in (job.error or "")
    assert job.attempts == 1
    for job_id in good:
        assert (await wait_for_job(platform, job_id, ("completed",))).result == {"ok": True}


async def test_a_failure_after_a_cancel_request_ends_cancelled(platform: Platform) -> None:
    enqueued = await platform.jobs.submit(JobSubmit(type="noop"), "default")
    now = utcnow()
    async with platform.engine.begin() as conn:
        (job,) = await claim(conn, "w1", now=now)
    await platform.jobs.cancel(enqueued.job_id, "default")
    async with platform.engine.begin() as conn:
        await repository.finish_failed(
            conn, worker_id="w1", job=job, error="boom", now=now, retry_at=now
        )
        again = await claim(conn, "w2", now=now)
    assert again == []
    assert (await platform.jobs.get(enqueued.job_id, "default")).status == "cancelled"


async def test_bulk_insert_belongs_to_the_callers_transaction(platform: Platform) -> None:
    with contextlib.suppress(RuntimeError):
        async with platform.engine.begin() as conn:
            await repository.insert_jobs(conn, [NewJob(type="noop")] * 3, utcnow())
            raise RuntimeError("the caller changed its mind")
    assert await scalar(platform.engine, "SELECT count(*) FROM jobs") == 0
    assert await scalar(platform.engine, "SELECT count(*) FROM job_events") == 0
