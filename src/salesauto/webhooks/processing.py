"""Processing a stored receipt: apply its event, or keep it as an orphan with a backoff, or
after the last try move it to the dead-letter store. Safe to run twice: the receipt row is
locked and its status checked in the transaction that applies the event.

A job's lemlist receipts are applied together, up to `BATCH_MAX` per transaction: a handful
of statements per batch (campaigns/applying.py) instead of a dozen per receipt, a campaign's
webhooks arriving by the hundred per second. A batch whose transaction fails is rolled back
and its receipts go one by one, so one bad receipt never holds back the others. A worker
process runs `BATCHES_AT_ONCE` batch transactions at a time: concurrent batches would lock
the same campaign instances (their counters) and often the same leads, and wait on each
other in the database instead."""

from __future__ import annotations

import asyncio
import json
import math
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.campaigns.counters import CounterDeltas
from salesauto.config import Settings
from salesauto.deadletter.repository import NewDeadLetter, insert_dead_letter
from salesauto.integrations.registry import Integrations
from salesauto.jobs.queue import Queue
from salesauto.jobs.repository import NewJob
from salesauto.kit.time import utcnow
from salesauto.webhooks.events import (
    PreparedEvent,
    apply_prepared,
    apply_prepared_many,
    prepare_event,
)
from salesauto.webhooks.orphans import OrphanQueue, retry_delay
from salesauto.webhooks.repository import (
    RECEIPTS,
    lock_receipt,
    lock_receipts,
    mark_processed,
    update_receipt,
)

log = structlog.get_logger(__name__)
DRAIN_JOB = "webhooks.retry_orphans"
ERROR_MAX = 2000
BATCH_MAX = 100  # receipts applied in one transaction
BATCHES_AT_ONCE = 2
_BATCH_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _batch_slots() -> asyncio.Semaphore:
    # A semaphore belongs to one event loop: each loop (a test's, the worker's) has its own.
    loop = asyncio.get_running_loop()
    slots = _BATCH_SLOTS.get(loop)
    if slots is None:
        slots = _BATCH_SLOTS[loop] = asyncio.Semaphore(BATCHES_AT_ONCE)
    return slots


@dataclass(frozen=True)
class Step:
    status: str  # processed | orphaned | dead | failed | skipped
    attempt: int = 0
    due: datetime | None = None


@dataclass
class BatchOutcome:
    statuses: dict[int, str] = field(default_factory=dict)  # receipt id → Step.status
    one_by_one: list[int] = field(default_factory=list)  # left to `process`, in job order


def _processable(row: Any, now: datetime) -> bool:
    if row is None or row.status not in ("received", "orphaned"):
        return False
    return row.status == "received" or row.next_attempt_at is None or row.next_attempt_at <= now


class ReceiptProcessor:
    def __init__(
        self,
        queue: Queue,
        integrations: Integrations | None,
        orphans: OrphanQueue,
    ) -> None:
        self.queue = queue
        self.engine = queue.engine
        self.settings: Settings = queue.settings
        self.integrations = integrations
        self.orphans = orphans

    async def load(self, receipt_ids: list[int]) -> dict[int, Any]:
        """Receipts as stored, in one query for a whole job (each is re-read under its lock
        when applied, so a stale copy here only costs a skipped event preparation)."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(RECEIPTS).where(RECEIPTS.c.id.in_(receipt_ids)))
            return {int(row.id): row for row in rows}

    async def process(self, receipt_id: int, loaded: dict[int, Any] | None = None) -> str:
        """Apply one receipt if it is waiting (new, or an orphan whose try is due); `loaded`
        is what `load` read for its job."""
        now = utcnow()
        row = (loaded if loaded is not None else await self.load([receipt_id])).get(receipt_id)
        if row is None or not _processable(row, now):
            return "skipped"
        prepared = await prepare_event(
            self.engine,
            self.integrations,
            provider=row.provider,
            owner_id=row.owner_id,
            payload=json.loads(row.body),
            received_at=row.received_at,
        )
        step = await self.queue.write(lambda: self._apply(receipt_id, prepared, now))
        await self._after(receipt_id, step)
        return step.status

    async def _apply(self, receipt_id: int, prepared: PreparedEvent, now: datetime) -> Step:
        async with self.engine.begin() as conn:
            row = await lock_receipt(conn, receipt_id)
            if row is None or not _processable(row, now):
                return Step("skipped")
            applied = await apply_prepared(conn, prepared)
            attempt = row.attempts + 1
            if applied.outcome == "processed":
                await update_receipt(
                    conn,
                    receipt_id,
                    status="processed",
                    attempts=attempt,
                    processed_at=now,
                    next_attempt_at=None,
                    error=applied.note,
                )
                return Step("processed", attempt)
            step = await self._retry_later(conn, row, prepared, applied.note or "orphan", now)
            await self._wake_drain(conn, [step])
            return step

    async def process_batches(self, receipt_ids: list[int], loaded: dict[int, Any]) -> BatchOutcome:
        """Apply the job's waiting lemlist receipts in batches, in the job's order (see the
        module docstring). Receipts it leaves to `process` one by one: HubSpot's (an opt-out
        may call HubSpot first) and those of a batch whose transaction failed."""
        now = utcnow()
        outcome = BatchOutcome()
        together: list[tuple[int, PreparedEvent]] = []
        for receipt_id in receipt_ids:
            row = loaded.get(receipt_id)
            if row is None or not _processable(row, now):
                outcome.statuses[receipt_id] = "skipped"
            elif row.provider != "lemlist":
                outcome.one_by_one.append(receipt_id)
            else:
                try:
                    prepared = await prepare_event(
                        self.engine,
                        None,  # a lemlist event needs no provider call to be prepared
                        provider=row.provider,
                        owner_id=row.owner_id,
                        payload=json.loads(row.body),
                        received_at=row.received_at,
                    )
                except Exception:  # `process` records its error for this receipt alone
                    outcome.one_by_one.append(receipt_id)
                    continue
                together.append((receipt_id, prepared))
        for start in range(0, len(together), BATCH_MAX):
            batch = together[start : start + BATCH_MAX]
            try:
                async with _batch_slots():
                    steps = await self.queue.write(partial(self._apply_batch, batch, now))
            except Exception as error:  # e.g. a deadlock with another process's batch
                log.info("webhooks.batch_retried_singly", receipts=len(batch), error=repr(error))
                outcome.one_by_one.extend(receipt_id for receipt_id, _ in batch)
                continue
            for receipt_id, step in steps.items():
                outcome.statuses[receipt_id] = step.status
                await self._after(receipt_id, step)
        return outcome

    async def _apply_batch(
        self, batch: list[tuple[int, PreparedEvent]], now: datetime
    ) -> dict[int, Step]:
        steps: dict[int, Step] = {}
        async with self.engine.begin() as conn:
            rows = await lock_receipts(conn, [receipt_id for receipt_id, _ in batch])
            waiting = [
                (rows[receipt_id], prepared)
                for receipt_id, prepared in batch
                if receipt_id in rows and _processable(rows[receipt_id], now)
            ]
            steps.update({receipt_id: Step("skipped") for receipt_id, _ in batch})
            counters = CounterDeltas()
            outcomes = await apply_prepared_many(conn, [item for _, item in waiting], counters)
            processed: defaultdict[str | None, list[int]] = defaultdict(list)  # by note
            for (row, prepared), applied in zip(waiting, outcomes, strict=True):
                if applied.outcome == "processed":
                    processed[applied.note].append(row.id)
                    steps[row.id] = Step("processed", row.attempts + 1)
                else:
                    reason = applied.note or "orphan"
                    steps[row.id] = await self._retry_later(conn, row, prepared, reason, now)
            await counters.write(conn)
            for note, receipt_ids in processed.items():
                await mark_processed(conn, receipt_ids, note=note, at=now)
            await self._wake_drain(conn, list(steps.values()))
        return steps

    async def retry_after_error(self, receipt_id: int, error: BaseException) -> None:
        """An orphan whose retry raised: counted as a try, so a permanent error still ends
        in the dead-letter store instead of being retried for ever."""
        now = utcnow()

        async def write() -> Step:
            async with self.engine.begin() as conn:
                row = await lock_receipt(conn, receipt_id)
                if row is None or row.status != "orphaned":
                    return Step("skipped")
                step = await self._retry_later(conn, row, None, _describe(error), now)
                await self._wake_drain(conn, [step])
                return step

        await self._after(receipt_id, await self.queue.write(write))

    async def give_up(self, receipt_id: int, error: BaseException) -> None:
        """The processing job's last attempt failed: the receipt is `failed` and its event
        goes to the dead-letter store, where it can be replayed once the cause is fixed."""
        now = utcnow()

        async def write() -> None:
            async with self.engine.begin() as conn:
                row = await lock_receipt(conn, receipt_id)
                if row is None or row.status not in ("received", "orphaned"):
                    return
                reason = _describe(error)
                await self._dead_letter(conn, row, None, reason, row.attempts + 1, now)
                await update_receipt(
                    conn,
                    receipt_id,
                    status="failed",
                    attempts=row.attempts + 1,
                    next_attempt_at=None,
                    error=reason,
                )

        await self.queue.write(write)

    async def _retry_later(
        self,
        conn: AsyncConnection,
        row: Any,
        prepared: PreparedEvent | None,
        reason: str,
        now: datetime,
    ) -> Step:
        attempt = row.attempts + 1
        if attempt >= self.settings.webhook_orphan_max_attempts:
            await self._dead_letter(conn, row, prepared, reason, attempt, now)
            await update_receipt(
                conn, row.id, status="dead", attempts=attempt, next_attempt_at=None, error=reason
            )
            return Step("dead", attempt)
        due = now + timedelta(seconds=retry_delay(self.settings, attempt))
        await update_receipt(
            conn, row.id, status="orphaned", attempts=attempt, next_attempt_at=due, error=reason
        )
        return Step("orphaned", attempt, due)

    async def _wake_drain(self, conn: AsyncConnection, steps: list[Step]) -> None:
        """One drain job per second of the orphans' due times, whatever their number; queued
        last in the transaction, in time order (its idempotency key is locked until commit)."""
        seconds = {math.ceil(step.due.timestamp()) for step in steps if step.due is not None}
        for second in sorted(seconds):
            job = NewJob(
                type=DRAIN_JOB,
                run_at=datetime.fromtimestamp(second, UTC),
                idempotency_key=f"webhooks.orphans:{second}",
                max_attempts=self.settings.job_max_attempts,
            )
            await self.queue.enqueue(job, conn)

    async def _dead_letter(
        self,
        conn: AsyncConnection,
        row: Any,
        prepared: PreparedEvent | None,
        reason: str,
        attempts: int,
        now: datetime,
    ) -> None:
        payload = json.loads(row.body)
        if not isinstance(payload, dict):
            payload = {"body": payload}
        payload.pop("secret", None)  # a lemlist hook's own secret is not part of the event
        event_type = prepared.event_type if prepared else str(payload.get("type") or "unknown")
        email = prepared.email_hint if prepared else None
        if email is None and isinstance(payload.get("leadEmail"), str):
            email = payload["leadEmail"].strip().lower() or None
        await insert_dead_letter(
            conn,
            NewDeadLetter(
                owner_id=row.owner_id,
                provider=row.provider,
                provider_event_id=row.event_id,
                event_type=event_type,
                email=email,
                payload=payload,
                error=reason,
                attempts=attempts,
                receipt_id=row.id,
                at=now,
            ),
        )

    async def _after(self, receipt_id: int, step: Step) -> None:
        if step.status == "orphaned" and step.due is not None:
            await self.orphans.remember(receipt_id, step.attempt, step.due)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX]
