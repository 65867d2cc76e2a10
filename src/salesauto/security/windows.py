"""Moving windows kept in this process's memory, for the request limiter without Redis.

`limits`' own in-process storage is not used here: each of its calls schedules an expiry task
that hands the window to a thread (`asyncio.to_thread`). At a thousand webhook deliveries a
second that is a thousand thread hand-offs, and the event loop waits for the GIL behind them:
measured with `bench/webhooks.py`, it doubled the receipt latency p50 and p99. Here a window
is the arrival times of the requests still in it, trimmed as it is read; a count never awaits.
The verdicts are those of `limits`' moving window, as the Redis path gives them.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from limits import RateLimitItem

# Windows that emptied are forgotten at most this often (one pass over every key).
SWEEP_SECONDS = 60.0


class LocalWindows:
    """Per key, the arrival times (oldest first) of the requests inside its window."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[float, deque[float]]] = {}
        self._next_sweep = clock() + SWEEP_SECONDS

    def hit(self, item: RateLimitItem, *identifiers: str) -> tuple[bool, float, int]:
        """Count one request if the window has room: (allowed, reset time, remaining).

        The reset time (epoch seconds) is when the oldest request in the window leaves it.
        """
        now = self._clock()
        span = float(item.get_expiry())
        key = item.key_for(*identifiers)
        window = self._windows.get(key)
        if window is None:
            window = self._windows[key] = (span, deque())
        arrivals = window[1]
        # As in `limits`: a request exactly one span old is still inside the window.
        cutoff = now - span
        while arrivals and arrivals[0] < cutoff:
            arrivals.popleft()
        allowed = len(arrivals) < item.amount
        if allowed:
            arrivals.append(now)
        self._sweep(now)
        oldest = arrivals[0] if arrivals else now
        return allowed, oldest + span, item.amount - len(arrivals)

    def __len__(self) -> int:
        return len(self._windows)

    def _sweep(self, now: float) -> None:
        """Forget the keys whose every request has left the window (a client gone quiet)."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        idle = [
            key
            for key, (span, arrivals) in self._windows.items()
            if not arrivals or arrivals[-1] < now - span
        ]
        for key in idle:
            del self._windows[key]
