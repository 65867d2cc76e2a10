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
from limits.aio.storage import MemoryStorage, Storage, storage_from_string
from limits.aio.strategies import MovingWindowRateLimiter

from salesauto.integrations.http.metrics import PROVIDER_THROTTLED, PROVIDER_THROTTLED_SECONDS


@dataclass(frozen=True)
class RateLimit:
    """`amount` requests per `seconds`, for one `group` of endpoints (e.g. HubSpot `search`)."""

    amount: int
    seconds: int
    group: str = "default"

    def item(self) -> RateLimitItem:
        # Keep ~2 % headroom: the provider counts arrivals, we count departures, and network
        # jitter reorders a few requests at the window's edge.
        headroom = math.ceil(self.amount * 0.02) if self.amount >= 10 else 0
        return RateLimitItemPerSecond(self.amount - headroom, self.seconds)

    @property
    def label(self) -> str:
        return f"{self.amount}/{self.seconds}s"


def limiter_storage(redis_url: str | None) -> Storage:
    """Redis storage shared by the cluster when a URL is given, else this process's memory."""
    if not redis_url:
        return MemoryStorage()
    scheme, rest = redis_url.split("://", 1)
    return storage_from_string(f"async+{scheme}://{rest}", implementation="redispy")


class ProviderRateLimiter:
    """Waits until a request to `provider` fits every limit of its endpoint group."""

    def __init__(
        self,
        provider: str,
        credential: str,
        limits: list[RateLimit],
        storage: Storage,
    ) -> None:
        self.provider = provider
        # Limits are per key at the provider: two HubSpot accounts do not share a window.
        self._identity = hashlib.sha256(credential.encode()).hexdigest()[:16]
        self._groups: dict[str, list[RateLimitItem]] = {}
        for limit in limits:
            self._groups.setdefault(limit.group, []).append(limit.item())
        self._strategy = MovingWindowRateLimiter(storage)
        # One waiter per group polls the shared window at a time; the rest queue in order.
        self._turns: dict[str, asyncio.Lock] = {}

    async def acquire(self, group: str = "default") -> float:
        """Take a slot in `group` (and the `default` group's limits); returns seconds waited."""
        items = self._items(group)
        if not items:
            return 0.0
        lock = self._turns.setdefault(group, asyncio.Lock())
        waited = 0.0
        async with lock:
            while True:
                blocked_until = await self._try_take(items)
                if blocked_until is None:
                    break
                delay = max(blocked_until - time.time(), 0.005) + random.uniform(0, 0.01)
                waited += delay
                await asyncio.sleep(delay)
        if waited:
            PROVIDER_THROTTLED.labels(self.provider).inc()
            PROVIDER_THROTTLED_SECONDS.labels(self.provider).inc(waited)
        return waited

    def _items(self, group: str) -> list[RateLimitItem]:
        items = list(self._groups.get(group, []))
        if group != "default":
            items += self._groups.get("default", [])
        return items

    async def _try_take(self, items: list[RateLimitItem]) -> float | None:
        """Hit every limit or none; returns when the fullest window frees a slot if blocked."""
        key = (self.provider, self._identity)
        for item in items:
            if not await self._strategy.test(item, *key):
                stats = await self._strategy.get_window_stats(item, *key)
                return stats.reset_time
        for item in items:
            if not await self._strategy.hit(item, *key):
                # Another process took the last slot between test and hit.
                stats = await self._strategy.get_window_stats(item, *key)
                return stats.reset_time
        return None
