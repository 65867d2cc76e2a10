"""Webhook delivery: one POST per activity to every matching hook, retried a few times.

A receiver that is down or answers an error is logged and retried with a short backoff; it
never stops the simulation or the API.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from salesauto.integrations.sandbox.lemlist.state import Hook, LemlistState

log = structlog.get_logger(__name__)

# lemlist's lead-state hook types each cover several activity types.
TYPE_GROUPS: dict[str, frozenset[str]] = {
    "contacted": frozenset({"emailsSent", "linkedinSent", "linkedinInviteDone"}),
    "hooked": frozenset({"emailsOpened", "linkedinOpened"}),
    "attracted": frozenset({"emailsClicked"}),
    "warmed": frozenset({"emailsReplied", "linkedinReplied"}),
    "interested": frozenset({"emailsInterested", "linkedinInterested", "apiInterested"}),
    "notInterested": frozenset({"emailsNotInterested", "linkedinNotInterested"}),
}
RETRY_DELAYS = (0.2, 0.5, 1.0)


def hook_matches(hook: Hook, activity: dict[str, Any]) -> bool:
    kind = str(activity.get("type"))
    if hook.type and hook.type != kind and kind not in TYPE_GROUPS.get(hook.type, frozenset()):
        return False
    if hook.campaign_id and hook.campaign_id != activity.get("campaignId"):
        return False
    return not (hook.is_first and not activity.get("isFirst"))


@dataclass
class Delivery:
    hook_id: str
    url: str
    body: dict[str, Any]


class HookDeliverer:
    """A queue of deliveries worked by a few tasks; `flush()` waits until it is empty."""

    def __init__(self, state: LemlistState, *, workers: int = 4, timeout: float = 5.0) -> None:
        self.state = state
        self.workers = workers
        self.timeout = timeout
        self.delivered = 0
        self.failed = 0
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def dispatch(self, activity: dict[str, Any]) -> None:
        """Queue one POST per hook that wants this activity (the secret rides in the body)."""
        for hook in list(self.state.hooks.values()):
            if hook_matches(hook, activity):
                body = dict(activity)
                if hook.secret:
                    body["secret"] = hook.secret
                self._queue.put_nowait(Delivery(hook.id, hook.target_url, body))

    def start(self) -> None:
        if self._tasks:
            return
        self._client = httpx.AsyncClient(timeout=self.timeout)
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self.workers)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued delivery succeeded or gave up; False on timeout."""
        if not self._tasks:
            return self._queue.empty()
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except TimeoutError:
            return False
        return True

    def forget(self) -> None:
        """Drop queued deliveries (sandbox reset)."""
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
        self.delivered = self.failed = 0

    async def _work(self) -> None:
        while True:
            delivery = await self._queue.get()
            try:
                await self._deliver(delivery)
            except Exception:
                # A bug in one delivery must not kill the worker: the emulator keeps serving.
                log.exception("lemlist.sandbox.hook_crashed", hook=delivery.hook_id)
                self.failed += 1
            finally:
                self._queue.task_done()

    async def _deliver(self, delivery: Delivery) -> None:
        assert self._client is not None
        reason = ""
        for attempt, delay in enumerate((*RETRY_DELAYS, None), start=1):
            try:
                response = await self._client.post(delivery.url, json=delivery.body)
            except httpx.HTTPError as error:
                reason = type(error).__name__
            else:
                if response.status_code < 300:
                    self.delivered += 1
                    return
                reason = f"HTTP {response.status_code}"
            log.warning(
                "lemlist.sandbox.hook_failed",
                hook=delivery.hook_id,
                attempt=attempt,
                reason=reason,
            )
            if delay is not None:
                await asyncio.sleep(delay)
        self.failed += 1
        log.warning("lemlist.sandbox.hook_gave_up", hook=delivery.hook_id, reason=reason)
