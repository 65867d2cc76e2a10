"""Processing a stored receipt: apply its event, or keep it as an orphan with a backoff, or
after the last try move it to the dead-letter store. Safe to run twice: the receipt row is
locked and its status checked in the transaction that applies the event."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.config import Settings
from salesauto.deadletter.repository import NewDeadLetter, insert_dead_letter
from salesauto.integrations.registry import Integrations
from salesauto.jobs.queue import Queue
from salesauto.jobs.repository import NewJob
from salesauto.kit.time import utcnow
from salesauto.webhooks.events import PreparedEvent, apply_prepared, prepare_event
from salesauto.webhooks.orphans import OrphanQueue, retry_delay
from salesauto.webhooks.repository import RECEIPTS, lock_receipt, update_receipt

DRAIN_JOB = "webhooks.retry_orphans"
ERROR_MAX = 2000


@dataclass(frozen=True)
class Step:
    status: str  # processed | orphaned | dead | failed | skipped
    attempt: int = 0
    due: datetime | None = None


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
            return await self._retry_later(conn, row, prepared, applied.note or "orphan", now)

    async def retry_after_error(self, receipt_id: int, error: BaseException) -> None:
        """An orphan whose retry raised: counted as a try, so a permanent error still ends
        in the dead-letter store instead of being retried for ever."""
        now = utcnow()

        async def write() -> Step:
            async with self.engine.begin() as conn:
                row = await lock_receipt(conn, receipt_id)
                if row is None or row.status != "orphaned":
                    return Step("skipped")
                return await self._retry_later(conn, row, None, _describe(error), now)

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
        await self._wake_drain_at(conn, due)
        return Step("orphaned", attempt, due)

    async def _wake_drain_at(self, conn: AsyncConnection, due: datetime) -> None:
        """One drain job per second of due times, whatever the number of orphans."""
        second = math.ceil(due.timestamp())
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
