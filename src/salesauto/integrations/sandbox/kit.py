"""What every emulator shares: per-key rate windows that count like the vendor does, fault
injection knobs, and the `/_sandbox` control routes tests and demos use over HTTP.

Control routes (not part of any vendor API, never rate limited):
- `GET  /_sandbox/stats?window=10` → requests, 429s sent, peak requests in any `window` s
- `PUT  /_sandbox/faults` → `{"errorRate": 0.2, "errorStatus": 503, "latencyMs": 50,
  "outageSeconds": 5, "force429": 3, "retryAfterSeconds": 1}` (omitted fields reset)
- `POST /_sandbox/reset` → forget counters and faults (and the vendor's state if it has a hook)
"""

from __future__ import annotations

import asyncio
import bisect
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_PREFIX = "/_sandbox"


@dataclass
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # epoch seconds when a slot frees (sliding) or the window ends (fixed)

    @property
    def retry_after(self) -> float:
        return max(self.reset_at - time.time(), 0.0)


class SlidingWindow:
    """`amount` requests per `seconds` per key, counted over a sliding window of arrivals."""

    def __init__(self, amount: int, seconds: float) -> None:
        self.amount = amount
        self.seconds = seconds
        self._arrivals: dict[str, deque[float]] = {}

    def hit(self, key: str, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        arrivals = self._arrivals.setdefault(key, deque())
        while arrivals and arrivals[0] <= now - self.seconds:
            arrivals.popleft()
        if len(arrivals) >= self.amount:
            return Decision(False, self.amount, 0, arrivals[0] + self.seconds)
        arrivals.append(now)
        reset = arrivals[0] + self.seconds
        return Decision(True, self.amount, self.amount - len(arrivals), reset)

    def reset(self) -> None:
        self._arrivals.clear()


class FixedWindow:
    """Apollo-style: a window opens at the first request and counts until it ends."""

    def __init__(self, amount: int, seconds: float) -> None:
        self.amount = amount
        self.seconds = seconds
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        opened, count = self._windows.get(key, (now, 0))
        if now >= opened + self.seconds:
            opened, count = now, 0
        if count >= self.amount:
            return Decision(False, self.amount, 0, opened + self.seconds)
        self._windows[key] = (opened, count + 1)
        return Decision(True, self.amount, self.amount - count - 1, opened + self.seconds)

    def reset(self) -> None:
        self._windows.clear()


class FaultSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    error_rate: float = Field(0.0, ge=0, le=1, alias="errorRate")
    error_status: int = Field(503, ge=400, le=599, alias="errorStatus")
    latency_ms: float = Field(0.0, ge=0, le=60000, alias="latencyMs")
    outage_seconds: float = Field(0.0, ge=0, le=86400, alias="outageSeconds")
    force_429: int = Field(0, ge=0, alias="force429")
    retry_after_seconds: float = Field(1.0, ge=0, le=3600, alias="retryAfterSeconds")


@dataclass
class SandboxStats:
    """What the emulator saw: every counted arrival, and the 429s it answered."""

    # The latest arrivals only: a long-running sandbox must not grow without bound.
    arrivals: deque[float] = field(default_factory=lambda: deque(maxlen=200_000))
    throttled: int = 0
    faults_injected: int = 0

    def peak(self, window: float) -> int:
        """Most requests that arrived inside any `window`-second span."""
        arrivals = list(self.arrivals)
        best = 0
        for index, started in enumerate(arrivals):
            end = bisect.bisect_left(arrivals, started + window, lo=index)
            best = max(best, end - index)
        return best


# A vendor's error response: (status, message, retry_after) → Response in its own shape.
ErrorFactory = Callable[[int, str, float | None], Response]


class SandboxKit:
    """Fault injection and counting for one emulator; install with `kit.install(app)`."""

    def __init__(self, vendor: str, error_response: ErrorFactory) -> None:
        self.vendor = vendor
        self.error_response = error_response
        self.faults = FaultSettings()
        self.outage_until = 0.0
        self.stats = SandboxStats()
        self.rng = random.Random(f"{vendor}-faults")
        self.on_reset: list[Callable[[], Awaitable[None] | None]] = []

    def set_faults(self, faults: FaultSettings) -> None:
        self.faults = faults
        self.outage_until = time.time() + faults.outage_seconds if faults.outage_seconds else 0.0

    def record_throttled(self) -> None:
        self.stats.throttled += 1

    def install(self, app: FastAPI) -> None:
        app.include_router(self._control_router())
        app.add_middleware(_FaultMiddleware, kit=self)

    async def reset(self) -> None:
        self.set_faults(FaultSettings())
        self.stats = SandboxStats()
        for hook in self.on_reset:
            result = hook()
            if result is not None:
                await result

    def _control_router(self) -> APIRouter:
        router = APIRouter(prefix=CONTROL_PREFIX, include_in_schema=False)
        kit = self

        @router.get("/stats")
        async def stats(window: float = 10.0) -> dict[str, object]:
            return {
                "vendor": kit.vendor,
                "requests": len(kit.stats.arrivals),
                "throttled": kit.stats.throttled,
                "faultsInjected": kit.stats.faults_injected,
                "peakInWindow": kit.stats.peak(window),
                "window": window,
            }

        @router.put("/faults")
        async def faults(body: FaultSettings) -> dict[str, object]:
            kit.set_faults(body)
            return body.model_dump(by_alias=True)

        @router.post("/reset")
        async def reset() -> dict[str, str]:
            await kit.reset()
            return {"status": "reset"}

        return router


class _FaultMiddleware:
    """Counts vendor requests and injects latency, outages, forced 429s and random errors."""

    def __init__(self, app: ASGIApp, kit: SandboxKit) -> None:
        self.app = app
        self.kit = kit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        root: str = scope.get("root_path", "")
        if scope["type"] != "http" or path.removeprefix(root).startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        kit = self.kit
        kit.stats.arrivals.append(time.time())
        faults = kit.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        injected: Response | None = None
        if kit.outage_until > time.time():
            injected = kit.error_response(503, f"{kit.vendor} sandbox outage (injected)", None)
        elif faults.force_429 > 0:
            faults.force_429 -= 1
            kit.record_throttled()
            injected = kit.error_response(
                429, f"{kit.vendor} sandbox rate limit (injected)", faults.retry_after_seconds
            )
        elif faults.error_rate and kit.rng.random() < faults.error_rate:
            injected = kit.error_response(
                faults.error_status, f"{kit.vendor} sandbox error (injected)", None
            )
        if injected is None:
            await self.app(scope, receive, send)
            return
        kit.stats.faults_injected += 1
        await injected(scope, receive, send)


def request_key(request: Request, *candidates: str | None) -> str:
    """The first non-empty credential found, as the rate-limit key (never logged)."""
    for candidate in candidates:
        if candidate:
            return candidate
    return request.client.host if request.client else "anonymous"


@dataclass(frozen=True)
class SandboxConfig:
    """How the emulators behave; `salesauto sandbox` and `serve` build it from settings."""

    seed: int = 42
    # lemlist engagement: simulated seconds per real second (60 → a day's sends in 24 min).
    time_scale: float = 60.0
    hubspot_requests_per_10s: int = 100
    apollo_requests_per_minute: int = 200
    apollo_requests_per_hour: int = 400
