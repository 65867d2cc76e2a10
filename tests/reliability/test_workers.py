"""The ten reliability properties of research/queue.md, with real worker processes.

Each runs on SQLite and PostgreSQL. Leases are 3 s and sweeps 0.5 s here (conftest), so a
dead worker's job comes back within about four seconds.
"""

from __future__ import annotations

import asyncio
import signal

import pytest
import sqlalchemy as sa

from salesauto.jobs.repository import NewJob
from salesauto.platform import Platform
from tests.reliability.processes import WorkerProcess, pause_outside_transactions
from tests.support.waiting import eventually, scalar, wait_for_job

pytestmark = pytest.mark.slow


async def count(platform: Platform, where: str) -> int:
    value = await scalar(platform.engine, f"SELECT count(*) FROM jobs WHERE {where}")
    return int(value)  # type: ignore[call-overload]


async def test_each_job_runs_exactly_once_across_processes(platform: Platform) -> None:
    total = 4000
    await platform.queue.enqueue_many([NewJob(type="test.record") for _ in range(total)])
    workers = [WorkerProcess(platform.settings, concurrency=4) for _ in range(4)]
    try:
        await eventually(
            lambda: count(platform, "status = 'completed'"), lambda n: n == total, timeout=120
        )
    finally:
        codes = [worker.stop() for worker in workers]

    assert codes == [0, 0, 0, 0]
    async with platform.engine.connect() as conn:
        retried = (
            await conn.execute(sa.text("SELECT id, errors FROM jobs WHERE attempts > 1"))
        ).all()
    assert retried == []
    assert await count(platform, "attempts = 1") == total
    runs = await scalar(platform.engine, "SELECT count(*) FROM job_results")
    distinct = await scalar(platform.engine, "SELECT count(DISTINCT item_key) FROM job_results")
    assert runs == distinct == total
    pids = await scalar(
        platform.engine,
        "SELECT count(DISTINCT result ->> 'pid') FROM jobs"
        if platform.engine.dialect.name == "postgresql"
        else "SELECT count(DISTINCT json_extract(result, '$.pid')) FROM jobs",
    )
    assert pids == 4, "every process took a share"
    for worker in workers:
        assert "database is locked" not in worker.output()


async def test_a_killed_workers_job_is_rerun_by_another(platform: Platform) -> None:
    enqueued = await platform.queue.enqueue(NewJob(type="test.record", parameters={"seconds": 3}))
    victim = WorkerProcess(platform.settings)
    await wait_for_job(platform, enqueued.job_id, ("processing",))
    victim.signal(signal.SIGKILL)
    victim.stop()

    rescuer = WorkerProcess(platform.settings)
    try:
        job = await wait_for_job(platform, enqueued.job_id, ("completed",), timeout=30)
    finally:
        rescuer.stop()

    assert job.attempts == 2
    assert "lease expired" in job.errors[0]["error"]
    assert job.result["pid"] == rescuer.pid


async def test_long_and_loop_blocking_jobs_keep_their_lease(platform: Platform) -> None:
    lease = platform.settings.job_lease_seconds
    long_job = await platform.queue.enqueue(
        NewJob(type="test.record", parameters={"seconds": lease * 3})
    )
    blocking_job = await platform.queue.enqueue(
        NewJob(type="test.block", parameters={"seconds": lease * 2.5})
    )
    workers = [WorkerProcess(platform.settings, concurrency=2) for _ in range(2)]
    try:
        for job_id in (long_job.job_id, blocking_job.job_id):
            job = await wait_for_job(platform, job_id, ("completed",), timeout=40)
            assert job.attempts == 1, job.errors
            assert job.errors == []
    finally:
        for worker in workers:
            worker.stop()
    assert await scalar(platform.engine, "SELECT count(*) FROM job_results") == 2


async def test_a_paused_worker_is_fenced_off(platform: Platform) -> None:
    enqueued = await platform.queue.enqueue(NewJob(type="test.record", parameters={"seconds": 1}))
    paused = WorkerProcess(platform.settings)
    await wait_for_job(platform, enqueued.job_id, ("processing",))
    await pause_outside_transactions(paused, platform.engine)

    other = WorkerProcess(platform.settings)
    try:
        job = await wait_for_job(platform, enqueued.job_id, ("completed",), timeout=30)
        paused.signal(signal.SIGCONT)
        await asyncio.sleep(platform.settings.job_lease_seconds)  # let A try to finish
        after = await platform.jobs.get(enqueued.job_id, "default")
    finally:
        paused.signal(signal.SIGCONT)
        paused.stop()
        other.stop()

    assert job.result["pid"] == other.pid
    assert after.status == "completed"
    assert after.result == job.result, "the paused worker's late completion was discarded"
    assert after.attempts == 2


async def test_sigterm_finishes_short_jobs_and_returns_long_ones(platform: Platform) -> None:
    short = await platform.queue.enqueue_many(
        [NewJob(type="test.record", parameters={"seconds": 0.5}) for _ in range(3)]
    )
    long = await platform.queue.enqueue_many(
        [NewJob(type="sleep", parameters={"seconds": 60}) for _ in range(2)]
    )
    worker = WorkerProcess(
        platform.settings, concurrency=8, SALESAUTO_JOB_SHUTDOWN_GRACE_SECONDS="2"
    )
    await eventually(lambda: count(platform, "status = 'processing'"), lambda n: n == 5)

    assert worker.stop() == 0

    for job_id in short:
        assert (await platform.jobs.get(job_id, "default")).status == "completed"
    for job_id in long:
        job = await platform.jobs.get(job_id, "default")
        assert job.status == "queued" and job.attempts == 0
    assert await count(platform, "status = 'processing'") == 0
    assert await scalar(platform.engine, "SELECT count(*) FROM workers") == 0


async def test_another_process_sees_every_transition_in_order(platform: Platform) -> None:
    ids = await platform.queue.enqueue_many([NewJob(type="noop") for _ in range(50)])
    received: list[tuple[int, str]] = []

    async def listen() -> None:
        async for message in platform.tail.stream(0, "default"):
            received.append((message.job_id, message.event))
            if sum(1 for _, event in received if event == "job.completed") == len(ids):
                return

    worker = WorkerProcess(platform.settings)
    try:
        await asyncio.wait_for(listen(), 30)
    finally:
        worker.stop()

    for job_id in ids:
        events = [event for jid, event in received if jid == job_id]
        assert events == ["job.queued", "job.started", "job.completed"], (job_id, events)


async def test_queued_jobs_survive_a_worker_restart(platform: Platform) -> None:
    first = WorkerProcess(platform.settings)
    await asyncio.sleep(0.5)
    first.stop()
    ids = await platform.queue.enqueue_many([NewJob(type="noop") for _ in range(20)])
    second = WorkerProcess(platform.settings)
    try:
        await eventually(lambda: count(platform, "status = 'completed'"), lambda n: n == len(ids))
    finally:
        second.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_transactions_begin_immediate(platform: Platform) -> None:
    """A transaction takes the write lock at BEGIN, so read-then-write never fails to upgrade."""
    async with platform.engine.begin() as conn:
        await conn.execute(sa.text("SELECT count(*) FROM jobs"))
        import sqlite3

        url = platform.engine.url.database
        other = sqlite3.connect(url, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


async def test_sigterm_mid_drain_strands_no_finished_job(platform: Platform) -> None:
    total = 3000
    await platform.queue.enqueue_many([NewJob(type="noop") for _ in range(total)])
    worker = WorkerProcess(platform.settings)
    await eventually(lambda: count(platform, "status = 'completed'"), lambda n: n >= 200)

    assert worker.stop() == 0

    assert await count(platform, "status = 'processing'") == 0
    assert await count(platform, "status IN ('completed', 'queued')") == total
    assert await count(platform, "attempts > 1") == 0
