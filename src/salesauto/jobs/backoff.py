"""Retry delays: capped exponential backoff with ±20 % jitter so retries do not stampede."""

from __future__ import annotations

import random


def retry_delay_seconds(
    attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Delay before the attempt after `attempt` (1-based): min(cap, base·2^(attempt-1)) ± 20 %."""
    raw: float = min(cap, base * 2.0 ** max(0, attempt - 1))
    jitter: float = (rng or random).uniform(0.8, 1.2)
    return raw * jitter
