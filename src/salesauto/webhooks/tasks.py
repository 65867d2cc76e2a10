"""Webhook jobs: `webhooks.process` (receipts just stored), `webhooks.retry_orphans` (the
drain of orphans whose next try is due; woken at due times, and every minute as a net), and
`webhooks.poll_lemlist` (lemlist's activities read into receipts, every minute, when polling
is on: see polling.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from pydantic import Field

from salesauto.integrations.registry import Integrations
from salesauto.jobs.context import JobContext
from salesauto.jobs.pruning import delete_in_batches
from salesauto.jobs.registry import JobParameters, job_type
from salesauto.jobs.scheduler import CronSchedule, cron_schedule
from salesauto.kit.time import utcnow
from salesauto.models.base import table_of
from salesauto.models.jobs import Job
from salesauto.webhooks.orphans import orphan_queue
from salesauto.webhooks.polling import POLL_JOB, LemlistPoller, polling_off_reason
from salesauto.webhooks.processing import DRAIN_JOB, ReceiptProcessor
from salesauto.webhooks.receipt_writer import PROCESS_JOB
from salesauto.webhooks.repository import RECEIPTS

log = structlog.get_logger(__name__)
PRUNE_JOB = "webhooks.prune"
DRAIN_BATCH = 200
DRAIN_MAX_PER_RUN = 5000


class ProcessParameters(JobParameters):
    receipt_ids: list[int] = Field(..., min_length=1, max_length=1000)


class DrainParameters(JobParameters):
    pass


def _integrations(context: JobContext) -> Integrations | None:
    integrations = getattr(context.services, "integrations", None)
    return integrations if isinstance(integrations, Integrations) else None


@job_type(PROCESS_JOB, ProcessParameters, internal=True)
async def process_receipts(context: JobContext, parameters: ProcessParameters) -> dict[str, Any]:
    """Apply stored webhook receipts; unknown enrollments become orphans retried later."""
    outcomes: dict[str, int] = {}
    failed: list[int] = []
    last_attempt = context.attempt >= context.max_attempts
    async with orphan_queue(context.queue.settings) as orphans:
        processor = ReceiptProcessor(context.queue, _integrations(context), orphans)
        loaded = await processor.load(parameters.receipt_ids)
        batches = await processor.process_batches(parameters.receipt_ids, loaded)
        for status in batches.statuses.values():
            outcomes[status] = outcomes.get(status, 0) + 1
        for receipt_id in batches.one_by_one:
            try:
                status = await processor.process(receipt_id, loaded)
            except Exception as error:  # recorded below: retried, or dead-lettered at the end
                log.warning("webhooks.process_failed", receipt=receipt_id, error=repr(error))
                if not last_attempt:
                    failed.append(receipt_id)
                    continue
                await processor.give_up(receipt_id, error)
                status = "failed"
            outcomes[status] = outcomes.get(status, 0) + 1
    if failed:
        # Receipts already processed are skipped when the job runs again.
        raise RuntimeError(f"{len(failed)} receipt(s) failed and will be retried: {failed[:10]}")
    return {"receipts": outcomes}


@job_type(DRAIN_JOB, DrainParameters, internal=True)
async def retry_orphans(context: JobContext, parameters: DrainParameters) -> dict[str, Any]:
    """Retry the orphaned events whose next try is due (applied, rescheduled or dead-lettered)."""
    outcomes: dict[str, int] = {}
    seen: set[int] = set()
    async with orphan_queue(context.queue.settings) as orphans:
        processor = ReceiptProcessor(context.queue, _integrations(context), orphans)
        while len(seen) < DRAIN_MAX_PER_RUN:
            due = [
                receipt_id
                for receipt_id in await orphans.due_receipts(
                    context.queue.engine, utcnow(), DRAIN_BATCH
                )
                if receipt_id not in seen
            ]
            if not due:
                break
            loaded = await processor.load(due)
            for receipt_id in due:
                seen.add(receipt_id)
                try:
                    status = await processor.process(receipt_id, loaded)
                except Exception as error:  # counted as a try; the receipt stays an orphan
                    log.warning(
                        "webhooks.orphan_retry_failed", receipt=receipt_id, error=repr(error)
                    )
                    await processor.retry_after_error(receipt_id, error)
                    status = "error"
                outcomes[status] = outcomes.get(status, 0) + 1
        backend = orphans.backend
    return {"backend": backend, "receipts": outcomes}


class PruneReceiptsParameters(JobParameters):
    batch_size: int = Field(5000, ge=1, le=100_000)


@job_type(PRUNE_JOB, PruneReceiptsParameters)
async def prune_receipts(
    context: JobContext, parameters: PruneReceiptsParameters
) -> dict[str, Any]:
    """Deletes processed webhook receipts past their retention, in short batches."""
    settings = context.queue.settings
    before = utcnow() - timedelta(days=settings.webhook_receipt_retention_days)
    deleted = await delete_in_batches(
        context.queue,
        RECEIPTS,
        RECEIPTS.c.id,
        RECEIPTS.c.status == "processed",
        RECEIPTS.c.received_at < before,
        batch_size=parameters.batch_size,
    )
    return {"deleted": deleted}


class PollLemlistParameters(JobParameters):
    pass


@job_type(POLL_JOB, PollLemlistParameters)
async def poll_lemlist(context: JobContext, parameters: PollLemlistParameters) -> dict[str, Any]:
    """Reads lemlist's new activities into webhook receipts (the fallback for webhooks)."""
    integrations = _integrations(context)
    queue = context.queue
    reason = await polling_off_reason(queue.engine, queue.settings, integrations, context.owner_id)
    if reason is None and await _another_poll_running(context):
        reason = "another lemlist poll is running"
    if reason is not None or integrations is None:
        return {"polled": False, "reason": reason}
    outcome = await LemlistPoller(queue, integrations.lemlist).poll(context.owner_id)
    return outcome.report()


async def _another_poll_running(context: JobContext) -> bool:
    """A long first poll may outlast the minute: a later one then leaves it alone."""
    jobs = table_of(Job)
    async with context.queue.engine.connect() as conn:
        running = await conn.scalar(
            sa.select(sa.func.count()).where(
                jobs.c.type == POLL_JOB, jobs.c.status == "running", jobs.c.id < context.job_id
            )
        )
    return bool(running)


# The drain is woken at each orphan's due time; this is the net under it (an orphan Redis
# lost, a drain job that failed).
cron_schedule(CronSchedule(key=DRAIN_JOB, expression="*/5 * * * *", job_type=DRAIN_JOB))
cron_schedule(CronSchedule(key=PRUNE_JOB, expression="29 4 * * *", job_type=PRUNE_JOB))
# Every minute; the job itself decides from SALESAUTO_LEMLIST_POLLING whether to poll.
cron_schedule(CronSchedule(key=POLL_JOB, expression="* * * * *", job_type=POLL_JOB))
