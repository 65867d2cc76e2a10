"""webhooks, continued: processing a stored webhook delivery again.

A replay marks the receipt `received` and queues the `webhooks.process` job for it, in one
transaction, as the receipt writer does for a new delivery; the job then applies it under
its lock. Applying twice is safe: a campaign event already stored is a duplicate.
"""

from __future__ import annotations

from pydantic import Field

from salesauto.jobs.repository import NewJob
from salesauto.kit.errors import Conflict, NotFound
from salesauto.tools.registry import tool
from salesauto.tools.spec import WRITE, ToolContext, ToolInput, ToolOutput
from salesauto.webhooks.receipt_writer import PROCESS_JOB
from salesauto.webhooks.repository import lock_receipt, update_receipt

# These receipts' events are in the dead-letter store, whose replay also settles the letter.
DEAD_LETTERED = frozenset({"dead", "failed"})


class ReceiptRef(ToolInput):
    receipt_id: int = Field(
        ..., ge=1, le=2**63 - 1, description="An event's `id` from webhooks_list_events."
    )


class ReplayQueued(ToolOutput):
    receipt_id: int
    previous_status: str
    job_id: str = Field(description="The processing job; then see webhooks_list_events.")


@tool(toolset="webhooks", scope="webhooks:write", flags=WRITE)
async def webhooks_replay_event(ctx: ToolContext, args: ReceiptRef) -> ReplayQueued:
    """Process a stored webhook delivery (lemlist or HubSpot) again, now: an orphan whose
    enrollment exists by now, a delivery stuck as received, or a processed one whose effect
    is missing. An event already applied is not applied twice. Dead or failed deliveries
    are replayed with deadletter_retry instead. Follow it with webhooks_list_events. Free."""
    queue = ctx.platform.queue

    async def write() -> tuple[str, int]:
        async with queue.engine.begin() as conn:
            row = await lock_receipt(conn, args.receipt_id)
            if row is None or row.owner_id != ctx.workspace:
                raise NotFound(
                    f"webhook event {args.receipt_id} not found; take an id from "
                    "webhooks_list_events"
                )
            if row.status in DEAD_LETTERED:
                raise Conflict(
                    f"webhook event {args.receipt_id} is {row.status}: its event is in the "
                    "dead letters; replay it with deadletter_retry"
                )
            await update_receipt(conn, row.id, status="received", next_attempt_at=None)
            job = NewJob(
                type=PROCESS_JOB,
                parameters={"receipt_ids": [row.id]},
                owner_id=row.owner_id,
                max_attempts=queue.settings.job_max_attempts,
            )
            enqueued = await queue.enqueue(job, conn)
            return str(row.status), enqueued.job_id

    previous, job_id = await queue.write(write)
    queue.notifier.jobs_available()
    return ReplayQueued(receipt_id=args.receipt_id, previous_status=previous, job_id=str(job_id))
