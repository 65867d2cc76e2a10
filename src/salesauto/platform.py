"""The platform's long-lived parts, built once per process (API, worker or CLI) and closed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.config import Settings
from salesauto.events.notifier import Notifier
from salesauto.events.tail import EventTail
from salesauto.integrations.providers import local_sandbox_base
from salesauto.integrations.registry import Integrations
from salesauto.jobs.queue import Queue
from salesauto.jobs.registry import load_job_modules
from salesauto.jobs.scheduler import Scheduler
from salesauto.jobs.service import JobService
from salesauto.jobs.worker import Worker
from salesauto.kit.db import create_engine


@dataclass
class Platform:
    settings: Settings
    engine: AsyncEngine
    notifier: Notifier
    queue: Queue
    jobs: JobService
    tail: EventTail
    integrations: Integrations
    _background: list[asyncio.Task[None]] = field(default_factory=list)
    _worker: Worker | None = None
    _stop_scheduler: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def build(cls, settings: Settings) -> Platform:
        load_job_modules(settings.job_modules)
        url = settings.resolved_database_url
        engine = create_engine(url, pool_size=settings.database_pool_size)
        notifier = Notifier(url)
        queue = Queue(engine, settings, notifier)
        tail = EventTail(engine, notifier, poll_seconds=0.25 if settings.is_sqlite else 1.0)
        # Providers without keys use the sandbox this process's API mounts (or sandbox_url).
        integrations = Integrations.build(settings, sandbox_base=local_sandbox_base(settings))
        return cls(settings, engine, notifier, queue, JobService(queue), tail, integrations)

    async def start(self, *, events: bool = True) -> None:
        await self.notifier.start()
        if events:
            await self.tail.start()

    def start_worker(self, *, concurrency: int | None = None, scheduler: bool = True) -> Worker:
        """Run a worker (and the cron scheduler) as tasks of this process's event loop."""
        worker = Worker(self.queue, concurrency=concurrency, services=self)
        self._worker = worker
        self._background.append(asyncio.create_task(worker.run(), name="salesauto-worker"))
        if scheduler:
            self._background.append(
                asyncio.create_task(
                    Scheduler(self.queue).run(self._stop_scheduler), name="salesauto-scheduler"
                )
            )
        return worker

    async def stop(self) -> None:
        self._stop_scheduler.set()
        if self._worker is not None:
            self._worker.request_stop()
        if self._background:
            # asyncio.wait, not `await task`: a cancellation of our caller must propagate.
            await asyncio.wait(self._background)
        self._background.clear()
        await self.tail.stop()
        await self.notifier.stop()
        await self.queue.close()
        await self.integrations.aclose()
        await self.engine.dispose()
