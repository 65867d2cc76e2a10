"""Cron schedules that fire once per cluster.

Any number of schedulers may run (one per `serve`/`worker` process). Each fire time is
recorded in `cron_runs`, whose primary key is (schedule, fire time), in the same transaction
as the job it enqueues: the first scheduler wins, the others' inserts do nothing. No leader.
A restarted cluster catches up on fire times missed within the last ten minutes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from croniter import croniter
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.jobs import repository
from salesauto.jobs.queue import Queue
from salesauto.jobs.repository import NewJob
from salesauto.kit.aio import wait_event
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import CronRun

log = structlog.get_logger(__name__)
cron_runs = table_of(CronRun)

CATCH_UP = timedelta(minutes=10)


@dataclass(frozen=True)
class CronSchedule:
    key: str
    expression: str
    job_type: str
    parameters: dict[str, Any] = field(default_factory=dict)
    priority: int = 0

    def fire_times(self, after: datetime, until: datetime) -> list[datetime]:
        """Fire times in (after, until], oldest first."""
        times: list[datetime] = []
        iterator = croniter(self.expression, after)
        while (moment := iterator.get_next(datetime)) <= until:
            times.append(moment)
            if len(times) >= 1000:
                break
        return times


SCHEDULES: dict[str, CronSchedule] = {}


def cron_schedule(schedule: CronSchedule) -> CronSchedule:
    if not croniter.is_valid(schedule.expression):
        raise ValueError(f"invalid cron expression {schedule.expression!r} for {schedule.key}")
    SCHEDULES[schedule.key] = schedule
    return schedule


cron_schedule(CronSchedule(key="jobs.prune", expression="17 * * * *", job_type="jobs.prune"))


class Scheduler:
    def __init__(self, queue: Queue, schedules: list[CronSchedule] | None = None) -> None:
        self.queue = queue
        self.schedules = schedules if schedules is not None else list(SCHEDULES.values())
        self._checked_until: dict[str, datetime] = {}

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.tick(utcnow())
            except Exception as error:  # a database hiccup must not end the scheduler
                log.warning("scheduler.tick_failed", error=str(error))
            await wait_event(stop, 1.0)

    async def tick(self, now: datetime) -> list[int]:
        """Enqueue every due fire time not yet recorded by any scheduler; returns job ids."""
        enqueued: list[int] = []
        for schedule in self.schedules:
            after = await self._window_start(schedule, now)
            for fire_at in schedule.fire_times(after, now):
                job_id = await self._fire(schedule, fire_at)
                if job_id is not None:
                    enqueued.append(job_id)
            self._checked_until[schedule.key] = now
        if enqueued:
            self.queue.notifier.jobs_available()
        return enqueued

    async def _window_start(self, schedule: CronSchedule, now: datetime) -> datetime:
        if schedule.key in self._checked_until:
            return max(self._checked_until[schedule.key], now - CATCH_UP)
        async with self.queue.engine.connect() as conn:
            last = (
                await conn.execute(
                    sa.select(sa.func.max(cron_runs.c.fire_at)).where(
                        cron_runs.c.task_key == schedule.key
                    )
                )
            ).scalar_one_or_none()
        # A schedule seen for the first time starts now; a known one catches up (bounded).
        return max(last, now - CATCH_UP) if last is not None else now - timedelta(seconds=1)

    async def _fire(self, schedule: CronSchedule, fire_at: datetime) -> int | None:
        async def write() -> int | None:
            async with self.queue.engine.begin() as conn:
                return await self._record_and_enqueue(conn, schedule, fire_at)

        return await self.queue.write(write)

    async def _record_and_enqueue(
        self, conn: AsyncConnection, schedule: CronSchedule, fire_at: datetime
    ) -> int | None:
        insert = repository.dialect_insert(conn)(cron_runs).values(
            task_key=schedule.key, fire_at=fire_at, created_at=utcnow()
        )
        recorded = await conn.execute(
            insert.on_conflict_do_nothing().returning(cron_runs.c.task_key)
        )
        if recorded.first() is None:
            return None  # another scheduler fired it
        (job_id,) = await repository.insert_jobs(
            conn,
            [
                NewJob(
                    type=schedule.job_type,
                    parameters=schedule.parameters,
                    priority=schedule.priority,
                    max_attempts=self.queue.settings.job_max_attempts,
                )
            ],
            utcnow(),
        )
        await conn.execute(
            sa.update(cron_runs)
            .where(cron_runs.c.task_key == schedule.key, cron_runs.c.fire_at == fire_at)
            .values(job_id=job_id)
        )
        log.info("cron.fired", schedule=schedule.key, fire_at=fire_at.isoformat(), job_id=job_id)
        return job_id
