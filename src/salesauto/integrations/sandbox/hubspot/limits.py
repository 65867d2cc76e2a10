"""HubSpot's per-token rate limits (API_CONTRACTS §1.10 and §1.12).

- TEN_SECONDLY_ROLLING: `requests_per_10s` per token over a rolling 10 s, on every non-search
  call, reported in `X-HubSpot-RateLimit-*` headers.
- SECONDLY: 5 searches per second per token; search responses carry no rate-limit headers.
- DAILY: `daily_limit` calls per token per UTC day (the account's time zone in real life),
  reported in `X-HubSpot-RateLimit-Daily(-Remaining)`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from salesauto.integrations.sandbox.kit import SlidingWindow

INTERVAL_MS = 10_000
SEARCH_PER_SECOND = 5


@dataclass
class LimitVerdict:
    """`policy` is the exceeded policy's name, or None when the call may proceed."""

    policy: str | None
    headers: dict[str, str]


class HubSpotLimits:
    def __init__(self, requests_per_10s: int, daily_limit: int) -> None:
        self.burst = SlidingWindow(requests_per_10s, INTERVAL_MS / 1000)
        self.search = SlidingWindow(SEARCH_PER_SECOND, 1.0)
        self.daily_limit = daily_limit
        self._daily: dict[str, tuple[int, int]] = {}  # token → (UTC day number, calls)

    def check(self, token: str, *, is_search: bool) -> LimitVerdict:
        day = int(time.time() // 86_400)
        seen_day, used = self._daily.get(token, (day, 0))
        if seen_day != day:
            used = 0
        daily_headers = {
            "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(self.daily_limit - used - 1, 0)),
        }
        if used >= self.daily_limit:
            daily_headers["X-HubSpot-RateLimit-Daily-Remaining"] = "0"
            return LimitVerdict("DAILY", {} if is_search else daily_headers)
        if is_search:
            if not self.search.hit(token).allowed:
                return LimitVerdict("SECONDLY", {})
            self._daily[token] = (day, used + 1)
            return LimitVerdict(None, {})
        decision = self.burst.hit(token)
        headers = {
            "X-HubSpot-RateLimit-Max": str(decision.limit),
            "X-HubSpot-RateLimit-Remaining": str(decision.remaining),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(INTERVAL_MS),
            **daily_headers,
        }
        if not decision.allowed:
            # A refused call does not count against the daily allowance.
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(self.daily_limit - used)
            return LimitVerdict("TEN_SECONDLY_ROLLING", headers)
        self._daily[token] = (day, used + 1)
        return LimitVerdict(None, headers)

    def reset(self) -> None:
        self.burst.reset()
        self.search.reset()
        self._daily.clear()
