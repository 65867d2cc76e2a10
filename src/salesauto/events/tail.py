"""Tails the job_events outbox and fans events out to this process's subscribers.

Ids come from a sequence, so on PostgreSQL a transaction can commit event 9 after event 10.
The tail therefore keeps a *resolved cursor*: every id at or below it has been delivered or
waited for long enough (`gap_grace`) to be a rolled-back transaction. Clients resume from
that cursor and drop ids they have already seen, so a reconnect loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.events.notifier import EVENTS_CHANNEL, JOBS_CHANNEL, Notifier
from salesauto.kit.aio import wait_event
from salesauto.models.base import table_of
from salesauto.models.jobs import JobEvent

log = structlog.get_logger(__name__)

MAX_TRACKED_GAPS = 5_000
job_events = table_of(JobEvent)


@dataclass(frozen=True, slots=True)
class JobEventMessage:
    id: int
    event: str
    job_id: int
    job_type: str
    owner_id: str
    status: str
    progress: float
    progress_message: str | None
    attempts: int
    error: str | None
    at: datetime
    # What an `agent.*` event reports (the turn, the tool call or its result); None otherwise.
    data: Any = None

    def to_wire(self, cursor: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "cursor": min(self.id, cursor),
            "event": self.event,
            "jobId": str(self.job_id),
            "jobType": self.job_type,
            "status": self.status,
            "progress": self.progress,
            "progressMessage": self.progress_message,
            "attempts": self.attempts,
            "error": self.error,
            "at": self.at.isoformat(),
            "data": self.data,
        }


def _message(row: Any) -> JobEventMessage:
    return JobEventMessage(
        id=row.id,
        event=row.event,
        job_id=row.job_id,
        job_type=row.job_type,
        owner_id=row.owner_id,
        status=row.status,
        progress=row.progress,
        progress_message=row.progress_message,
        attempts=row.attempts,
        error=row.error,
        at=row.created_at,
        data=row.data,
    )


class Subscription:
    def __init__(self, tail: EventTail, owner_id: str | None) -> None:
        self.tail = tail
        self.owner_id = owner_id
        self.queue: asyncio.Queue[JobEventMessage] = asyncio.Queue(maxsize=10_000)
        self.overflowed = False

    def offer(self, message: JobEventMessage) -> None:
        if self.owner_id is not None and message.owner_id != self.owner_id:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            # A client too slow to keep up is told to reconnect from its cursor.
            self.overflowed = True

    def close(self) -> None:
        self.tail.unsubscribe(self)


class EventTail:
    def __init__(
        self,
        engine: AsyncEngine,
        notifier: Notifier,
        *,
        poll_seconds: float,
        gap_grace_seconds: float = 60.0,
    ) -> None:
        self.engine = engine
        self.notifier = notifier
        self.poll_seconds = poll_seconds
        self.gap_grace = gap_grace_seconds
        self.resolved_upto = 0
        self._max_seen = 0
        self._delivered_above: set[int] = set()
        self._gaps: dict[int, float] = {}
        self._subscribers: set[Subscription] = set()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        async with self.engine.connect() as conn:
            latest = (await conn.execute(sa.select(sa.func.max(job_events.c.id)))).scalar()
        self.resolved_upto = self._max_seen = latest or 0
        for channel in (EVENTS_CHANNEL, JOBS_CHANNEL):
            self.notifier.subscribe(channel, self._on_signal)
        self._task = asyncio.create_task(self._run(), name="salesauto-event-tail")

    async def stop(self) -> None:
        for channel in (EVENTS_CHANNEL, JOBS_CHANNEL):
            self.notifier.unsubscribe(channel, self._on_signal)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def subscribe(self, owner_id: str | None) -> Subscription:
        subscription = Subscription(self, owner_id)
        self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscribers.discard(subscription)

    async def replay(
        self, after: int, owner_id: str | None, *, job_id: int | None = None, limit: int = 1_000
    ) -> list[JobEventMessage]:
        """One page (`limit`) of the events after `after` already in the outbox."""
        query = sa.select(job_events).where(job_events.c.id > after)
        if owner_id is not None:
            query = query.where(job_events.c.owner_id == owner_id)
        if job_id is not None:
            query = query.where(job_events.c.job_id == job_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(job_events.c.id).limit(limit))).all()
        return [_message(row) for row in rows]

    async def stream(
        self, after: int | None, owner_id: str | None, job_id: int | None = None
    ) -> AsyncIterator[JobEventMessage]:
        """Backlog after `after` (if given), then live events; each id at most once."""
        subscription = self.subscribe(owner_id)
        seen: set[int] = set()
        try:
            if after is not None:
                # Page through the whole backlog: the live queue only has what was polled
                # after we subscribed, so nothing between may be skipped.
                cursor = after
                while page := await self.replay(cursor, owner_id, job_id=job_id):
                    for message in page:
                        seen.add(message.id)
                        yield message
                    cursor = page[-1].id
            while True:
                message = await subscription.queue.get()
                if subscription.overflowed:
                    raise OverflowError("event stream overflowed; reconnect with your cursor")
                if message.id in seen or (after is not None and message.id <= after):
                    continue
                if job_id is not None and message.job_id != job_id:
                    continue
                seen.add(message.id)
                if len(seen) > 50_000:
                    seen = {i for i in seen if i > self.resolved_upto - 1000}
                yield message
        finally:
            subscription.close()

    def _on_signal(self, _payload: str) -> None:
        self._wakeup.set()

    async def _run(self) -> None:
        while True:
            await wait_event(self._wakeup, self.poll_seconds)
            self._wakeup.clear()
            try:
                while await self._poll_once() >= 1000:
                    pass
            except Exception as error:  # database away: keep tailing once it is back
                log.warning("events.tail_failed", error=str(error))
                await asyncio.sleep(min(self.poll_seconds * 4, 2.0))

    async def _poll_once(self) -> int:
        # Only new ids and the gaps we still wait for: never re-read what was delivered.
        newer = job_events.c.id > max(self.resolved_upto, self._max_seen)
        if self._gaps:
            newer = sa.or_(newer, job_events.c.id.in_(sorted(self._gaps)))
        query = sa.select(job_events).where(newer).order_by(job_events.c.id).limit(1000)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        fresh = [row for row in rows if row.id not in self._delivered_above]
        for row in fresh:
            message = _message(row)
            for subscriber in list(self._subscribers):
                subscriber.offer(message)
        self._advance([row.id for row in rows])
        return len(rows)

    def _advance(self, ids: list[int]) -> None:
        now = time.monotonic()
        present = set(ids)
        if ids:
            self._max_seen = max(self._max_seen, max(ids))
        self._delivered_above |= present
        for gap in present:
            self._gaps.pop(gap, None)
        if ids:
            for missing in range(self.resolved_upto + 1, self._max_seen):
                if missing not in self._delivered_above:
                    self._gaps.setdefault(missing, now)
            # Bounded: the ids are re-queried with IN (…); past this many, the oldest are
            # taken as rolled back.
            while len(self._gaps) > MAX_TRACKED_GAPS:
                oldest = min(self._gaps)
                del self._gaps[oldest]
                self._delivered_above.add(oldest)
        while True:
            following = self.resolved_upto + 1
            if following in self._delivered_above:
                self._delivered_above.discard(following)
                self.resolved_upto = following
            elif following in self._gaps and now - self._gaps[following] > self.gap_grace:
                del self._gaps[following]  # a rolled-back transaction's id
                self.resolved_upto = following
            else:
                break
