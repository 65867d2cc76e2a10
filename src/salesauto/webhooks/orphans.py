"""The orphaned-event queue: events whose enrollment is not known yet wait here for a retry.

The receipt row is the truth (status `orphaned`, `next_attempt_at`), and a delayed
`webhooks.retry_orphans` job wakes the drain at the due time. With Redis configured, orphans
are also pushed to Redis lists, one per attempt number: every entry of a list waits the same
delay, so each list is ordered by due time and the drain pops from the head only. Each key
carries a TTL, so lists nobody drains expire instead of growing without bound. Redis is the
fast path, not the only one: an orphan Redis lost (TTL, flush, outage) is picked up from the
database once it is `REDIS_GRACE_SECONDS` overdue, and with Redis unreachable the database
path serves alone.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.config import Settings
from salesauto.webhooks.repository import due_orphans

log = structlog.get_logger(__name__)
REDIS_GRACE_SECONDS = 60.0
REDIS_TIMEOUT_SECONDS = 1.0


def retry_delay(settings: Settings, attempt: int) -> float:
    """Seconds before the try after `attempt` (1 = the first): base × 2^(attempt-1)."""
    return float(settings.webhook_orphan_base_delay_seconds * 2 ** (attempt - 1))


@dataclass(frozen=True)
class OrphanEntry:
    receipt_id: int
    attempt: int
    due: float  # epoch seconds


class RedisOrphanLists:
    def __init__(self, redis: Redis, prefix: str, settings: Settings) -> None:
        self.redis = redis
        self.prefix = prefix
        self.settings = settings

    def key(self, attempt: int) -> str:
        return f"{self.prefix}:webhooks:orphans:{attempt}"

    async def push(self, entry: OrphanEntry) -> None:
        delay = retry_delay(self.settings, entry.attempt)
        ttl = math.ceil(2 * delay + 3600)
        raw = json.dumps({"r": entry.receipt_id, "a": entry.attempt, "d": entry.due})
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(self.key(entry.attempt), raw)
            pipe.expire(self.key(entry.attempt), ttl)
            await pipe.execute()

    async def pop_due(self, now: float, limit: int) -> list[OrphanEntry]:
        due: list[OrphanEntry] = []
        for attempt in range(1, self.settings.webhook_orphan_max_attempts):
            key = self.key(attempt)
            while len(due) < limit:
                raw = await self.redis.lpop(key)
                if not isinstance(raw, bytes | str):
                    break
                item = json.loads(raw)
                entry = OrphanEntry(int(item["r"]), int(item["a"]), float(item["d"]))
                if entry.due > now:
                    await self.redis.lpush(key, raw)  # the head is not due: nothing behind it is
                    break
                due.append(entry)
        return due

    async def depth(self) -> int:
        total = 0
        for attempt in range(1, self.settings.webhook_orphan_max_attempts):
            total += int(await self.redis.llen(self.key(attempt)))
        return total


class OrphanQueue:
    """Where orphans wait; used for one job's duration (its Redis connection is closed at the
    end), so no long-lived client is needed in processes that never see an orphan."""

    def __init__(self, settings: Settings, lists: RedisOrphanLists | None) -> None:
        self.settings = settings
        self.lists = lists

    @property
    def backend(self) -> str:
        return "redis" if self.lists is not None else "database"

    async def remember(self, receipt_id: int, attempt: int, due: datetime) -> bool:
        """Push to Redis when configured; False when it is not or Redis failed (the
        database row alone then brings the orphan back)."""
        if self.lists is None:
            return False
        try:
            await self.lists.push(OrphanEntry(receipt_id, attempt, due.timestamp()))
        except (RedisError, OSError) as error:
            log.warning("webhooks.orphan_redis_push_failed", error=type(error).__name__)
            return False
        return True

    async def due_receipts(self, engine: AsyncEngine, now: datetime, limit: int) -> list[int]:
        """Receipt ids whose next try is due: Redis's first, then the database's (only those
        overdue by the grace period while Redis works)."""
        ids: list[int] = []
        grace = 0.0
        if self.lists is not None:
            try:
                ids = [e.receipt_id for e in await self.lists.pop_due(now.timestamp(), limit)]
                grace = REDIS_GRACE_SECONDS
            except (RedisError, OSError) as error:
                log.warning("webhooks.orphan_redis_pop_failed", error=type(error).__name__)
        async with engine.connect() as conn:
            ids.extend(await due_orphans(conn, now - timedelta(seconds=grace), limit))
        return list(dict.fromkeys(ids))


@asynccontextmanager
async def orphan_queue(settings: Settings) -> AsyncIterator[OrphanQueue]:
    if settings.redis_url is None:
        yield OrphanQueue(settings, None)
        return
    redis = Redis.from_url(
        settings.redis_url.get_secret_value(),
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        yield OrphanQueue(settings, RedisOrphanLists(redis, settings.redis_key_prefix, settings))
    finally:
        await redis.aclose()
