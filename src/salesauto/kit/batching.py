"""Split work into a provider's batch size and run the batches a few at a time, in order."""

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


async def gather_in_order(
    calls: Sequence[Callable[[], Awaitable[R]]], concurrency: int = CONCURRENCY
) -> list[R]:
    """Await every call with at most `concurrency` running; results keep the calls' order.

    A task group, not `gather`: when one batch fails the others are cancelled rather than
    left writing to the provider while the caller already handles the error.
    """
    gate = asyncio.Semaphore(concurrency)
    results: list[R | None] = [None] * len(calls)

    async def guarded(index: int, call: Callable[[], Awaitable[R]]) -> None:
        async with gate:
            results[index] = await call()

    try:
        async with asyncio.TaskGroup() as group:
            for index, call in enumerate(calls):
                group.create_task(guarded(index, call))
    except* Exception as failures:
        # Surface the first failure as itself, so callers catch typed provider errors.
        raise failures.exceptions[0] from None
    return results  # type: ignore[return-value]  # every slot was filled
