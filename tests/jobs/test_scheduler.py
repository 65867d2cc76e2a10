"""Cron schedules fire once per cluster, and catch up after a scheduler was down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from salesauto.jobs.scheduler import CronSchedule, Scheduler
from salesauto.platform import Platform
from tests.support.waiting import scalar

EVERY_SECOND = CronSchedule(key="test.every-second", expression="* * * * * *", job_type="noop")


async def test_three_schedulers_fire_each_time_once(platform: Platform) -> None:
    schedulers = [Scheduler(platform.queue, [EVERY_SECOND]) for _ in range(3)]
    start = datetime(2026, 11, 25, 8, 0, 0, tzinfo=UTC)

    for second in range(1, 101):
        now = start + timedelta(seconds=second)
        await asyncio.gather(*(s.tick(now) for s in schedulers))

    assert await scalar(platform.engine, "SELECT count(*) FROM cron_runs") == 100
    assert await scalar(platform.engine, "SELECT count(*) FROM jobs WHERE type = 'noop'") == 100
    assert await scalar(platform.engine, "SELECT count(DISTINCT job_id) FROM cron_runs") == 100


async def test_a_restarted_scheduler_fills_the_gap(platform: Platform) -> None:
    start = datetime(2026, 11, 25, 8, 0, 0, tzinfo=UTC)
    first = Scheduler(platform.queue, [EVERY_SECOND])
    for second in range(1, 11):
        await first.tick(start + timedelta(seconds=second))
    # The process dies; the next one starts 30 s later and fires the missed seconds.
    restarted = Scheduler(platform.queue, [EVERY_SECOND])
    fired = await restarted.tick(start + timedelta(seconds=40))

    assert len(fired) == 30
    assert await scalar(platform.engine, "SELECT count(*) FROM cron_runs") == 40


async def test_catch_up_is_bounded_to_ten_minutes(platform: Platform) -> None:
    start = datetime(2026, 11, 25, 8, 0, 0, tzinfo=UTC)
    minutely = CronSchedule(key="test.minutely", expression="* * * * *", job_type="noop")
    await Scheduler(platform.queue, [minutely]).tick(start)
    fired = await Scheduler(platform.queue, [minutely]).tick(start + timedelta(hours=3))
    assert len(fired) == 10  # 10:51 … 11:00, not the 170 minutes before
