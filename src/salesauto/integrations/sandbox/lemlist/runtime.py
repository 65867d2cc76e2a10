"""One emulator instance's moving parts: state, engagement engine, webhook delivery and the
real-time ticker. Started by the app's lifespan, or on the first request when the emulator is
mounted inside another app (Starlette does not run a mounted app's lifespan)."""

from __future__ import annotations

import asyncio
import contextlib
import time

import structlog

from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.lemlist.engagement import EngagementEngine
from salesauto.integrations.sandbox.lemlist.state import LemlistState
from salesauto.integrations.sandbox.lemlist.webhooks import HookDeliverer

log = structlog.get_logger(__name__)
TICK_SECONDS = 0.5


class LemlistRuntime:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        now = time.time()
        self.state = LemlistState(config.seed, now)
        self.deliverer = HookDeliverer(self.state)
        self.engine = EngagementEngine(
            self.state, seed=config.seed, now=now, sink=self.deliverer.dispatch
        )
        self._ticker: asyncio.Task[None] | None = None

    @property
    def now(self) -> float:
        """The simulated clock: what `createdAt` of anything new says."""
        return self.engine.now

    def ensure_started(self) -> None:
        """Start delivery workers and the ticker once, inside the running event loop."""
        self.deliverer.start()
        if self._ticker is None:
            self._ticker = asyncio.create_task(self._tick())

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await self.deliverer.stop()

    def reset(self) -> None:
        now = time.time()
        self.state.reset(now)
        self.engine.reset(now)
        self.deliverer.forget()

    async def _tick(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(TICK_SECONDS)
            current = time.monotonic()
            elapsed, last = current - last, current
            if self.config.time_scale <= 0:
                continue
            try:
                self.engine.advance(elapsed * self.config.time_scale)
            except Exception:
                # The simulation must never take the emulator down; the next tick retries.
                log.exception("lemlist.sandbox.tick_failed")
