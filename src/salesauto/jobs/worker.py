"""The worker: claims batches of due jobs, runs them concurrently, finishes them under lease.

One loop claims up to the free slots in one statement; handlers run as tasks; completions are
batched into one guarded UPDATE; a `LeaseKeeper` thread renews leases; a sweeper returns jobs
whose worker died. SIGTERM stops claiming, lets in-flight jobs finish within the grace period
and gives the rest back to the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import structlog
from pydantic import BaseModel, ValidationError

from salesauto.jobs import repository
from salesauto.jobs.backoff import retry_delay_seconds
from salesauto.jobs.context import JobContext, LeaseLost
from salesauto.jobs.heartbeat import LeaseKeeper
from salesauto.jobs.queue import Queue
from salesauto.jobs.registry import _REGISTRY
from salesauto.jobs.repository import ClaimedJob, Completion
from salesauto.jobs.workers_table import remove_worker
from salesauto.kit.aio import wait_event
from salesauto.kit.time import utcnow
from salesauto.observability import metrics

log = structlog.get_logger(__name__)


class PermanentJobError(Exception):
    """A failure that retrying cannot fix (unknown type, invalid parameters)."""


@dataclass
class _Running:
    job: ClaimedJob
    context: JobContext
    task: asyncio.Task[None]
    started: float = field(default_factory=time.monotonic)
    stop_reason: str | None = None  # "cancelled", "lease_lost" or "shutdown"
    # Set once the handler has returned or raised: from then on the task only writes the
    # outcome, and cancelling it would leave the job without an owner until its lease ends.
    handler_done: bool = False


class Worker:
    def __init__(
        self,
        queue: Queue,
        *,
        concurrency: int | None = None,
        worker_id: str | None = None,
        types: list[str] | None = None,
        services: Any = None,
    ) -> None:
        self.queue = queue
        self.services = services
        self.settings = queue.settings
        self.concurrency = concurrency or self.settings.worker_concurrency
        self.worker_id = worker_id or f"w-{uuid.uuid4().hex[:16]}"
        self.types = types
        self._running: dict[int, _Running] = {}
        self._completions: list[Completion] = []
        self._flushing: list[Completion] = []
        self._completion_ready = asyncio.Event()
        self._slot_freed = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._stopped = asyncio.Event()
        self._lease_keeper: LeaseKeeper | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def request_stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()
        self._slot_freed.set()

    async def run(self) -> None:
        """Work until `request_stop()`; then drain or return in-flight jobs and exit."""
        loop = asyncio.get_running_loop()
        notifier = self.queue.notifier
        notifier.subscribe("salesauto_jobs", self._on_jobs_signal)
        notifier.subscribe("salesauto_cancel", self._on_cancel_signal)
        self._lease_keeper = LeaseKeeper(
            database_url=str(self.queue.engine.url.render_as_string(hide_password=False)),
            worker_id=self.worker_id,
            concurrency=self.concurrency,
            lease_seconds=self.settings.job_lease_seconds,
            held_jobs=self._held_job_ids,
            on_lost=self._on_lease_lost,
            on_cancel=self._on_cancel_requested,
            loop=loop,
        )
        self._lease_keeper.start()
        completer = asyncio.create_task(self._complete_loop(), name="salesauto-completer")
        sweeper = asyncio.create_task(self._sweep_loop(), name="salesauto-sweeper")
        log.info("worker.started", worker_id=self.worker_id, concurrency=self.concurrency)
        try:
            await self._claim_loop()
        finally:
            sweeper.cancel()
            await self._drain()
            completer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await completer
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            try:
                async with asyncio.timeout(self.settings.job_shutdown_grace_seconds + 5):
                    await self._flush_completions()
            except TimeoutError:
                # The database stayed away: these jobs' leases expire and they run again.
                log.error("worker.results_not_written", job_ids=self._held_job_ids())
            notifier.unsubscribe("salesauto_jobs", self._on_jobs_signal)
            notifier.unsubscribe("salesauto_cancel", self._on_cancel_signal)
            await asyncio.to_thread(self._lease_keeper.stop)
            await self._unregister()
            self._stopped.set()
            log.info("worker.stopped", worker_id=self.worker_id)

    async def _drain(self) -> None:
        grace = self.settings.job_shutdown_grace_seconds
        if self._running:
            log.info("worker.draining", in_flight=len(self._running), grace_seconds=grace)
            tasks = [running.task for running in self._running.values()]
            await asyncio.wait(tasks, timeout=grace)
        leftovers = list(self._running.values())
        for running in leftovers:
            running.stop_reason = "shutdown"
            running.task.cancel()
        if leftovers:
            await asyncio.wait([running.task for running in leftovers], timeout=5)
            ids = [running.job.id for running in leftovers]
            await self._write(
                lambda conn: repository.release_jobs(
                    conn, worker_id=self.worker_id, job_ids=ids, now=utcnow()
                )
            )
            log.info("worker.returned_jobs", job_ids=ids)

    async def _unregister(self) -> None:
        async def write() -> None:
            async with self.queue.engine.begin() as conn:
                await remove_worker(conn, self.worker_id)

        with contextlib.suppress(Exception):
            await self.queue.write(write)

    async def _write(self, statement: Any) -> Any:
        async def write() -> Any:
            async with self.queue.engine.begin() as conn:
                return await statement(conn)

        result = await self.queue.write(write)
        self.queue.notifier.events_written()
        return result

    def _held_job_ids(self) -> list[int]:
        """Jobs whose lease we must keep: running, or finished with the result not yet written
        (e.g. while the database is away). Read from the lease thread; copies are atomic."""
        pending = [c.job_id for c in (*self._completions, *self._flushing)]
        return [*self._running, *pending]

    # -- signals (event loop thread) ---------------------------------------------------------

    def _on_jobs_signal(self, _payload: str) -> None:
        self._wakeup.set()

    def _on_cancel_signal(self, payload: str) -> None:
        with contextlib.suppress(ValueError):
            self._on_cancel_requested(int(payload))

    def _on_cancel_requested(self, job_id: int) -> None:
        running = self._running.get(job_id)
        if running is not None and running.stop_reason is None and not running.handler_done:
            running.stop_reason = "cancelled"
            running.context.request_cancel()
            running.task.cancel()

    def _on_lease_lost(self, job_id: int) -> None:
        running = self._running.get(job_id)
        if running is not None and running.stop_reason is None and not running.handler_done:
            log.warning("job.lease_lost", job_id=job_id, worker_id=self.worker_id)
            running.stop_reason = "lease_lost"
            running.task.cancel()

    # -- claiming ----------------------------------------------------------------------------

    async def _claim_loop(self) -> None:
        poll = self.settings.poll_seconds
        while not self._stopping.is_set():
            free = self.concurrency - len(self._running)
            if free <= 0:
                self._slot_freed.clear()
                await self._slot_freed.wait()
                # Handlers finishing in the same loop turns free their slots together: claim
                # them in one batch rather than one transaction per freed slot.
                for _ in range(3):
                    await asyncio.sleep(0)
                continue
            self._wakeup.clear()
            try:
                claimed = await self._claim(free)
            except Exception as error:  # database away: keep the worker alive and retry
                log.warning("worker.claim_failed", error=str(error))
                await self._sleep_or_stop(min(poll * 5, 2.0))
                continue
            for job in claimed:
                self._start(job)
            if len(claimed) < free:
                await wait_event(self._wakeup, poll)

    async def _sleep_or_stop(self, seconds: float) -> None:
        await wait_event(self._stopping, seconds)

    async def _claim(self, limit: int) -> list[ClaimedJob]:
        types = self.types if self.types is not None else sorted(_REGISTRY)

        async def claim() -> list[ClaimedJob]:
            # Read the clock per try: a retried claim must not start with a shortened lease.
            now = utcnow()
            lease_until = now + timedelta(seconds=self.settings.job_lease_seconds)
            async with self.queue.engine.begin() as conn:
                return await repository.claim_jobs(
                    conn,
                    worker_id=self.worker_id,
                    limit=limit,
                    now=now,
                    lease_until=lease_until,
                    types=types,
                )

        claimed = await self.queue.write(claim)
        if claimed:
            self.queue.notifier.events_written()
        return claimed

    def _start(self, job: ClaimedJob) -> None:
        context = JobContext(
            job_id=job.id,
            job_type=job.type,
            attempt=job.attempts,
            max_attempts=job.max_attempts,
            owner_id=job.owner_id,
            queue=self.queue,
            worker_id=self.worker_id,
            services=self.services,
        )
        task = asyncio.create_task(self._run_job(job, context), name=f"job-{job.id}")
        self._running[job.id] = _Running(job=job, context=context, task=task)

    # -- running -----------------------------------------------------------------------------

    async def _run_job(self, job: ClaimedJob, context: JobContext) -> None:
        started = time.monotonic()
        try:
            result = await self._call_handler(job, context)
        except asyncio.CancelledError:
            await self._after_cancel(job)
        except LeaseLost:
            log.warning("job.result_discarded", job_id=job.id, reason="lease lost")
        except PermanentJobError as error:
            await self._record_failure(job, str(error), retry=False)
        except Exception as error:
            await self._record_failure(job, f"{type(error).__name__}: {error}", retry=True)
        else:
            metrics.JOB_DURATION.labels(job.type).observe(time.monotonic() - started)
            running = self._running.get(job.id)
            if running is not None and running.stop_reason is not None:
                # The handler returned after a stop was asked for: the stop wins.
                await self._after_cancel(job)
            else:
                try:
                    completion = Completion(job.id, _jsonable(result))
                except (TypeError, ValueError) as error:
                    # One bad result must not block the batch it would be written with.
                    await self._record_failure(
                        job, f"result is not JSON-serialisable: {error}", retry=False
                    )
                else:
                    self._completions.append(completion)
                    self._completion_ready.set()
        finally:
            self._running.pop(job.id, None)
            self._slot_freed.set()

    async def _call_handler(self, job: ClaimedJob, context: JobContext) -> Any:
        job_type = _REGISTRY.get(job.type)
        try:
            if job_type is None:
                raise PermanentJobError(f"no handler for job type {job.type!r} in this worker")
            try:
                parameters = job_type.parameters.model_validate(job.parameters)
            except ValidationError as error:
                raise PermanentJobError(f"invalid parameters: {error}") from None
            return await job_type.handler(context, parameters)
        finally:
            running = self._running.get(job.id)
            if running is not None:
                running.handler_done = True

    async def _after_cancel(self, job: ClaimedJob) -> None:
        running = self._running.get(job.id)
        reason = running.stop_reason if running else "shutdown"
        if reason == "cancelled":
            try:
                await self._write(
                    lambda conn: repository.finish_cancelled(
                        conn, worker_id=self.worker_id, job_id=job.id, now=utcnow()
                    )
                )
            except Exception as error:  # the sweeper ends it: a lease-expired job whose
                # cancel was requested is cancelled, not retried
                log.error("job.cancel_not_recorded", job_id=job.id, error=str(error))
                return
            metrics.JOBS_FINISHED.labels(job.type, "cancelled").inc()
        elif reason == "lease_lost":
            log.warning("job.result_discarded", job_id=job.id, reason="lease lost")
        # "shutdown": `_drain` gives the job back to the queue.

    async def _record_failure(self, job: ClaimedJob, error: str, *, retry: bool) -> None:
        now = utcnow()
        retry_at = None
        if retry and job.attempts < job.max_attempts:
            delay = retry_delay_seconds(
                job.attempts,
                base=self.settings.job_retry_base_seconds,
                cap=self.settings.job_retry_max_seconds,
            )
            retry_at = now + timedelta(seconds=delay)
        log.warning(
            "job.failed_attempt",
            job_id=job.id,
            type=job.type,
            attempt=job.attempts,
            error=error,
            retry_at=retry_at.isoformat() if retry_at else None,
        )
        try:
            await self._write(
                lambda conn: repository.finish_failed(
                    conn, worker_id=self.worker_id, job=job, error=error, now=now, retry_at=retry_at
                )
            )
        except Exception as write_error:  # the lease runs out and the sweeper retries the job
            log.error("job.failure_not_recorded", job_id=job.id, error=str(write_error))
            return
        if retry_at is None:
            metrics.JOBS_FINISHED.labels(job.type, "failed").inc()
        else:
            metrics.JOB_RETRIES.labels(job.type).inc()

    # -- completing --------------------------------------------------------------------------

    async def _complete_loop(self) -> None:
        while True:
            await self._completion_ready.wait()
            # Let handlers finishing in the same loop turn join this batch.
            await asyncio.sleep(0)
            self._completion_ready.clear()
            await self._flush_completions()

    async def _flush_completions(self) -> None:
        delay = 0.05
        while self._completions:
            batch, self._completions = self._completions[:500], self._completions[500:]
            self._flushing = batch
            try:
                done: set[int] = await self._write(
                    lambda conn, batch=batch: repository.complete_many(
                        conn, worker_id=self.worker_id, completions=batch, now=utcnow()
                    )
                )
            except asyncio.CancelledError:
                # Stopping mid-flush: keep the batch for the final flush in `run`. If the
                # UPDATE did commit, flushing again finds nothing to change (guarded).
                self._completions = batch + self._completions
                raise
            except Exception as error:  # keep the results and try again; leases still renew
                log.warning("worker.complete_failed", error=str(error), retry_in=delay)
                self._completions = batch + self._completions
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            finally:
                self._flushing = []
            for completion in batch:
                if completion.job_id not in done:
                    log.warning("job.result_discarded", job_id=completion.job_id, reason="fenced")
            metrics.JOBS_COMPLETED.inc(len(done))

    # -- recovering other workers' jobs ------------------------------------------------------

    async def _sweep_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.job_sweep_seconds)
            try:
                await self.rescue_expired_leases()
            except Exception as error:
                log.warning("worker.sweep_failed", error=str(error))

    async def rescue_expired_leases(self) -> int:
        now = utcnow()

        async def sweep(conn: Any) -> int:
            rescued = 0
            for lease in await repository.find_expired_leases(conn, now=now):
                retry_at = None
                if lease.attempts < lease.max_attempts:
                    delay = retry_delay_seconds(
                        lease.attempts,
                        base=self.settings.job_retry_base_seconds,
                        cap=self.settings.job_retry_max_seconds,
                    )
                    retry_at = now + timedelta(seconds=delay)
                if await repository.rescue_expired(conn, lease=lease, now=now, retry_at=retry_at):
                    rescued += 1
            return rescued

        rescued: int = await self._write(sweep)
        if rescued:
            log.warning("worker.rescued_expired_leases", count=rescued)
            self.queue.notifier.jobs_available()
        return rescued


def _jsonable(result: Any) -> Any:
    """The result as stored: pydantic models dumped; anything json cannot encode refused."""
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json")
    # What both databases accept: no NaN/Infinity, no NUL character (PostgreSQL's jsonb).
    if "\\u0000" in json.dumps(result, allow_nan=False):
        raise ValueError("the result contains a NUL character")
    return result
