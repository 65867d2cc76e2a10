"""Lease renewal on its own thread, event loop and connection.

A handler that blocks the worker's event loop (CPU-bound code, a sync library) must not lose
its lease: pgqueuer#323 re-ran such jobs. So renewals never wait on the worker's loop; they
report back through `call_soon_threadsafe`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.jobs import repository
from salesauto.jobs.workers_table import upsert_worker
from salesauto.kit.db import create_engine, retry_locked
from salesauto.kit.time import utcnow

log = structlog.get_logger(__name__)


class LeaseKeeper:
    def __init__(
        self,
        *,
        database_url: str,
        worker_id: str,
        concurrency: int,
        lease_seconds: float,
        held_jobs: Callable[[], list[int]],
        on_lost: Callable[[int], None],
        on_cancel: Callable[[int], None],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._url = database_url
        self._worker_id = worker_id
        self._concurrency = concurrency
        self._lease = lease_seconds
        self._held_jobs = held_jobs
        self._on_lost = on_lost
        self._on_cancel = on_cancel
        self._loop = loop
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="salesauto-lease", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _main(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        engine = create_engine(self._url, single_connection=True)
        try:
            while not self._stop.is_set():
                try:
                    await self._beat(engine)
                except Exception as error:  # keep beating: the next renewal may succeed
                    log.warning("lease.renew_failed", error=str(error))
                await asyncio.to_thread(self._stop.wait, self._lease / 3)
        finally:
            await engine.dispose()

    async def _beat(self, engine: AsyncEngine) -> None:
        held = self._held_jobs()

        async def renew() -> dict[int, bool]:
            now = utcnow()
            async with engine.begin() as conn:
                await upsert_worker(
                    conn,
                    worker_id=self._worker_id,
                    hostname=socket.gethostname(),
                    pid=os.getpid(),
                    concurrency=self._concurrency,
                    now=now,
                )
                return await repository.renew_leases(
                    conn,
                    worker_id=self._worker_id,
                    job_ids=held,
                    lease_until=now + timedelta(seconds=self._lease),
                )

        renewed = await retry_locked(renew)
        for job_id in held:
            if job_id not in renewed:
                self._loop.call_soon_threadsafe(self._on_lost, job_id)
            elif renewed[job_id]:
                self._loop.call_soon_threadsafe(self._on_cancel, job_id)
