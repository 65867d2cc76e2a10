"""Client-side rate limiting at each provider's documented limits.

Built on `limits` (moving window). With Redis the windows are shared by every process of the
cluster, so ten workers together stay under HubSpot's 100 requests per 10 s; without Redis each
process keeps its own window. A call that finds the window full waits for the next free slot
instead of failing: the provider never sees a burst it would answer with 429.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import random
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

from salesauto.integrations.http.metrics import PROVIDER_THROTTLED, PROVIDER_THROTTLED_SECONDS


class LimitWaitTooLong(Exception):
    """The next free slot is further away than the caller accepts to wait."""

    def __init__(self, limit: str, wait: float) -> None:
        super().__init__(f"{limit}: next slot in {wait:.1f} s")
        self.limit = limit
        self.wait = wait


@dataclass(frozen=True)
class RateLimit:
    """`amount` requests per `seconds`, for one `group` of endpoints (e.g. HubSpot `search`)."""

    amount: int
    seconds: int
    group: str = "default"

    def item(self) -> RateLimitItem:
        # Keep ~2 % headroom: the provider counts arrivals, we count departures, and network
        # jitter reorders a few requests at the window's edge.
        headroom = math.floor(self.amount * 0.02)
        return RateLimitItemPerSecond(self.amount - headroom, self.seconds)

    @property
    def label(self) -> str:
        return f"{self.amount}/{self.seconds}s"


@dataclass
class LimiterStore:
    """Where the windows live: Redis (shared by the cluster) or this process's memory."""

    storage: Storage
    pool: ConnectionPool | None = None

    async def aclose(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()


def limiter_storage(redis_url: str | None) -> LimiterStore:
    """Redis storage shared by the cluster when a URL is given, else this process's memory."""
    if not redis_url:
        return LimiterStore(MemoryStorage())
    # Our own pool, so the connections close with the platform (limits never closes them).
    pool = ConnectionPool.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
    scheme, rest = redis_url.split("://", 1)
    storage = RedisStorage(
        f"async+{scheme}://{rest}",
        implementation="redispy",
        connection_pool=pool,  # type: ignore[arg-type]  # limits types options as scalars
    )
    return LimiterStore(storage, pool)


class ProviderRateLimiter:
    """Waits until a request to `provider` fits every limit of its endpoint group."""

    def __init__(
        self,
        provider: str,
        credential: str,
        limits: list[RateLimit],
        store: LimiterStore,
        *,
        owns_store: bool = False,
    ) -> None:
        self.provider = provider
        # Limits are per key at the provider: two HubSpot accounts do not share a window.
        self._identity = hashlib.sha256(credential.encode()).hexdigest()[:16]
        self._groups: dict[str, list[RateLimitItem]] = {}
        for limit in limits:
            self._groups.setdefault(limit.group, []).append(limit.item())
        self._store = store
        self._owns_store = owns_store
        self._strategy = MovingWindowRateLimiter(store.storage)
        # One waiter per group polls the shared window at a time; the rest queue in order.
        self._turns: dict[str, asyncio.Lock] = {}

    async def acquire(self, group: str = "default", *, max_wait: float | None = None) -> float:
        """Take a slot in `group` (and the `default` group's limits); returns seconds waited.

        Raises `LimitWaitTooLong` instead of sleeping past `max_wait` in total (an hourly
        window that is used up should fail the call, not park it for an hour).
        """
        items = self._items(group)
        if not items:
            return 0.0
        lock = self._turns.setdefault(group, asyncio.Lock())
        waited = 0.0
        async with lock:
            while True:
                blocked = await self._try_take(items)
                if blocked is None:
                    break
                item, blocked_until = blocked
                # Wake a little after the slot frees: requests granted together can reach
                # the provider a few ms apart (new connections), and it counts arrivals.
                margin = max(0.1, 0.02 * item.get_expiry())
                delay = max(blocked_until - time.time(), 0.0) + margin + random.uniform(0, 0.01)
                if max_wait is not None and waited + delay > max_wait:
                    raise LimitWaitTooLong(self._label([item]), waited + delay)
                waited += delay
                await asyncio.sleep(delay)
        if waited:
            PROVIDER_THROTTLED.labels(self.provider).inc()
            PROVIDER_THROTTLED_SECONDS.labels(self.provider).inc(waited)
        return waited

    async def aclose(self) -> None:
        if self._owns_store:
            await self._store.aclose()

    def _items(self, group: str) -> list[RateLimitItem]:
        items = list(self._groups.get(group, []))
        if group != "default":
            items += self._groups.get("default", [])
        return items

    @staticmethod
    def _label(items: list[RateLimitItem]) -> str:
        return ", ".join(f"{i.amount}/{i.get_expiry():.0f}s" for i in items)

    async def _try_take(self, items: list[RateLimitItem]) -> tuple[RateLimitItem, float] | None:
        """Take a slot in every limit, or return the full one and when it frees a slot."""
        key = (self.provider, self._identity)
        for item in items:
            if not await self._strategy.test(item, *key):
                stats = await self._strategy.get_window_stats(item, *key)
                return item, stats.reset_time
        for item in items:
            if not await self._strategy.hit(item, *key):
                # Another process took the last slot between test and hit.
                stats = await self._strategy.get_window_stats(item, *key)
                return item, stats.reset_time
        return None
