"""Split work into HubSpot's batch sizes and run the batches a few at a time, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Batches in flight at once: enough to keep the rate limiter (not latency) the bottleneck.
CONCURRENCY = 4


def chunked(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


async def run_in_order(
    calls: Sequence[Callable[[], Awaitable[R]]], concurrency: int = CONCURRENCY
) -> list[R]:
    """Await every call with at most `concurrency` running; results keep the calls' order."""
    gate = asyncio.Semaphore(concurrency)

    async def guarded(call: Callable[[], Awaitable[R]]) -> R:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(guarded(call) for call in calls)))
