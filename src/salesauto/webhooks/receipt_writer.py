"""Storing receipts with group commit: deliveries that arrive together share a transaction.

A provider in a hurry (a campaign's sends, opens and clicks) posts hundreds of deliveries a
second, one event each. Written one transaction apiece, every delivery pays BEGIN, two
inserts and COMMIT, and queues its own processing job. Here the deliveries waiting while a
write is in flight are written next, together: one multi-row insert (duplicates skipped by the
unique (provider, event id)), one `webhooks.process` job per workspace and
`RECEIPTS_PER_JOB` receipts, one commit. Each request is answered once its own receipts are
committed, exactly as before; a lone delivery is written at once (there is no waiting
window), so batching only happens when deliveries queue up anyway.

A receipt's processing job is its own only when the worker keeps up: while a job this
writer queued is still waiting (no worker has claimed it), later receipts join it, up to
`RECEIPTS_PER_JOB` (an UPDATE of its parameters guarded by `status = 'queued'`; a claim
holds the row, so a receipt joins a job before its claim or goes to a new one, never in
between). A new job is due `GATHER_SECONDS` after it is queued, so under load it gathers the
deliveries of that moment and the worker applies them in batches, not one small job per flush.

Each flush runs as a task of its own (up to `WRITES_MAX` at once), started when a delivery
finds fewer running and ending when nothing is left to write, so a cancelled request never
strands the others.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.jobs.queue import Queue
from salesauto.jobs.repository import NewJob, dialect_insert, jobs
from salesauto.kit.time import utcnow
from salesauto.webhooks.repository import RECEIPTS, NewReceipt

PROCESS_JOB = "webhooks.process"
RECEIPTS_PER_JOB = 500
# How long a new processing job waits for more receipts to join it. Processing is
# asynchronous to the provider anyway, and a fifth of a second is not noticed in a campaign's
# figures; at 1,000 deliveries/s it makes jobs of ~200 receipts, which cost the worker 15 % less
# CPU per receipt than jobs of 50 (bench/webhooks.py): CPU the API needs on a shared machine.
GATHER_SECONDS = 0.2
BATCH_MAX = 500  # receipts per transaction
# Writes in flight at once. One: with two, the deliveries waiting were split into twice as
# many smaller transactions whose commits queued on the database's log anyway; at 1,000/s that
# cost the API 12 % more CPU per delivery (bench/webhooks.py).
WRITES_MAX = 1
# Workers (and this process's event tail) are told of new jobs at most this often, once the
# jobs are due: each signal makes every listener poll the database (a worker told too early
# finds nothing due and sleeps its poll interval).
SIGNAL_EVERY_SECONDS = GATHER_SECONDS + 0.01


@dataclass(frozen=True)
class Received:
    stored: int
    duplicates: int


@dataclass
class _OpenJob:
    """A processing job this writer queued, which later receipts of the workspace may join."""

    job_id: int
    owner_id: str
    receipt_ids: list[int]


@dataclass
class _Waiting:
    receipts: list[NewReceipt]
    answer: asyncio.Future[Received]


class ReceiptWriter:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue
        self._waiting: list[_Waiting] = []
        self._flushes: set[asyncio.Task[None]] = set()
        self._signal: asyncio.TimerHandle | None = None
        # Open jobs not used by a write in flight (at most one per write slot and workspace).
        self._open: list[_OpenJob] = []

    async def store(self, receipts: list[NewReceipt]) -> Received:
        """Store new receipts and queue their processing; duplicates are only counted."""
        if not receipts:
            return Received(0, 0)
        answer: asyncio.Future[Received] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(receipts, answer))
        # A finished flush is done at once (no await after its last look at the queue).
        self._flushes = {flush for flush in self._flushes if not flush.done()}
        if len(self._flushes) < WRITES_MAX:
            self._flushes.add(asyncio.create_task(self._flush_all(), name="salesauto-receipts"))
        return await answer

    async def _flush_all(self) -> None:
        while self._waiting:
            batch = self._next_batch()
            try:
                stored = await self.queue.write(partial(self._write, batch))
            except Exception as error:  # each request gets the error (500, provider retries)
                for waiting in batch:
                    if not waiting.answer.done():
                        waiting.answer.set_exception(error)
                continue
            if stored and self._signal is None:
                self._signal = asyncio.get_running_loop().call_later(
                    SIGNAL_EVERY_SECONDS, self._jobs_available
                )
            for waiting in batch:
                new = 0
                for receipt in waiting.receipts:
                    key = (receipt.provider, receipt.event_id)
                    if stored.pop(key, None) is not None:  # the first copy in the batch only
                        new += 1
                if not waiting.answer.done():
                    waiting.answer.set_result(Received(new, len(waiting.receipts) - new))

    def _jobs_available(self) -> None:
        self._signal = None
        self.queue.notifier.jobs_available()

    def _next_batch(self) -> list[_Waiting]:
        """The oldest waiting deliveries, up to BATCH_MAX receipts (at least one delivery)."""
        batch: list[_Waiting] = []
        size = 0
        while self._waiting:
            count = len(self._waiting[0].receipts)
            if batch and size + count > BATCH_MAX:
                break
            batch.append(self._waiting.pop(0))
            size += count
        return batch

    async def _write(self, batch: list[_Waiting]) -> dict[tuple[str, str], int]:
        """One transaction: the batch's receipts not stored before, and their jobs. Returns
        the receipts it stored, by (provider, event id)."""
        unique: dict[tuple[str, str], NewReceipt] = {}
        for waiting in batch:
            for receipt in waiting.receipts:
                unique.setdefault((receipt.provider, receipt.event_id), receipt)
        rows = [
            {
                "provider": receipt.provider,
                "event_id": receipt.event_id,
                "owner_id": receipt.owner_id,
                "endpoint_id": receipt.endpoint_id,
                "body": receipt.body,
                "headers": receipt.headers,
                "received_at": receipt.received_at,
                "status": "received",
                "attempts": 0,
            }
            # In key order: concurrent batches (other requests, other API processes) holding
            # the same duplicates then wait on each other in one order, never in a cycle.
            for _, receipt in sorted(unique.items())
        ]
        # Open jobs taken here go back to the pool only after the commit: one whose write
        # failed may list receipts that were rolled back, and is forgotten.
        used: list[_OpenJob] = []
        async with self.queue.engine.begin() as conn:
            insert = (
                dialect_insert(conn)(RECEIPTS)
                .on_conflict_do_nothing(index_elements=["provider", "event_id"])
                .returning(RECEIPTS.c.id, RECEIPTS.c.provider, RECEIPTS.c.event_id)
            )
            result = await conn.execute(insert, rows)
            stored = {(row.provider, row.event_id): int(row.id) for row in result}
            by_owner: dict[str, list[int]] = defaultdict(list)
            for key, receipt_id in stored.items():
                by_owner[unique[key].owner_id].append(receipt_id)
            for owner_id, receipt_ids in by_owner.items():
                used.append(await self._queue_processing(conn, owner_id, sorted(receipt_ids)))
        self._open.extend(job for job in used if len(job.receipt_ids) < RECEIPTS_PER_JOB)
        return stored

    async def _queue_processing(
        self, conn: AsyncConnection, owner_id: str, receipt_ids: list[int]
    ) -> _OpenJob:
        """Queue the processing of new receipts: in an open job while it has room and no
        worker has claimed it, else in new jobs. Returns the job that took the last ones."""
        job = self._take_open(owner_id)
        if job is not None:
            joined = [*job.receipt_ids, *receipt_ids[: RECEIPTS_PER_JOB - len(job.receipt_ids)]]
            updated = await conn.execute(
                sa.update(jobs)
                # Never joined once tried: a job queued again waits out a retry backoff.
                .where(jobs.c.id == job.job_id, jobs.c.status == "queued", jobs.c.attempts == 0)
                .values(parameters={"receipt_ids": joined}, updated_at=utcnow())
            )
            if updated.rowcount == 1:
                receipt_ids = receipt_ids[len(joined) - len(job.receipt_ids) :]
                job.receipt_ids = joined
        while receipt_ids:
            part, receipt_ids = receipt_ids[:RECEIPTS_PER_JOB], receipt_ids[RECEIPTS_PER_JOB:]
            new = NewJob(
                type=PROCESS_JOB,
                parameters={"receipt_ids": part},
                owner_id=owner_id,
                max_attempts=self.queue.settings.job_max_attempts,
                run_at=utcnow() + timedelta(seconds=GATHER_SECONDS),
            )
            job = _OpenJob((await self.queue.enqueue(new, conn)).job_id, owner_id, part)
        assert job is not None  # receipt_ids is never empty here
        return job

    def _take_open(self, owner_id: str) -> _OpenJob | None:
        for index, job in enumerate(self._open):
            if job.owner_id == owner_id:
                return self._open.pop(index)
        return None


_WRITERS: weakref.WeakKeyDictionary[Queue, ReceiptWriter] = weakref.WeakKeyDictionary()


def receipt_writer(queue: Queue) -> ReceiptWriter:
    """The process's writer for this queue's database (its batches span every request)."""
    writer = _WRITERS.get(queue)
    if writer is None:
        writer = _WRITERS[queue] = ReceiptWriter(queue)
    return writer
