"""Wake-ups between processes: PostgreSQL LISTEN/NOTIFY, plus in-process callbacks.

Notifications only shorten waits; they never carry work. Every listener also polls, so a
lost notification (or SQLite, which has none) costs at most one poll interval.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy.engine import make_url

from salesauto.kit.aio import wait_event

log = structlog.get_logger(__name__)

JOBS_CHANNEL = "salesauto_jobs"
EVENTS_CHANNEL = "salesauto_events"
CANCEL_CHANNEL = "salesauto_cancel"
CHANNELS = (JOBS_CHANNEL, EVENTS_CHANNEL, CANCEL_CHANNEL)

Callback = Callable[[str], None]


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class Notifier:
    """Fan-out of `jobs`, `events` and `cancel` signals within and across processes."""

    def __init__(self, database_url: str) -> None:
        self._dsn = asyncpg_dsn(database_url) if database_url.startswith("postgresql") else None
        self._callbacks: dict[str, list[Callback]] = {channel: [] for channel in CHANNELS}
        self._pending: dict[str, set[str]] = {channel: set() for channel in CHANNELS}
        self._send_wakeup = asyncio.Event()
        self._connection: Any = None
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    def subscribe(self, channel: str, callback: Callback) -> None:
        self._callbacks[channel].append(callback)

    def unsubscribe(self, channel: str, callback: Callback) -> None:
        with contextlib.suppress(ValueError):
            self._callbacks[channel].remove(callback)

    def jobs_available(self) -> None:
        """New jobs (hence also new events): one NOTIFY on the jobs channel serves both."""
        self._signal(JOBS_CHANNEL, "")

    def events_written(self) -> None:
        self._signal(EVENTS_CHANNEL, "")

    def cancel_requested(self, job_id: int) -> None:
        self._signal(CANCEL_CHANNEL, str(job_id))
        self._signal(EVENTS_CHANNEL, "")

    def _signal(self, channel: str, payload: str) -> None:
        self._dispatch(channel, payload)
        if self._dsn is not None and self._task is not None:
            # Coalesced: many signals while a NOTIFY is in flight become one more NOTIFY.
            self._pending[channel].add(payload)
            self._send_wakeup.set()

    def _dispatch(self, channel: str, payload: str) -> None:
        for callback in list(self._callbacks[channel]):
            callback(payload)

    async def start(self) -> None:
        if self._dsn is not None and self._task is None:
            self._task = asyncio.create_task(self._run(), name="salesauto-notifier")
            await wait_event(self._connected, 5)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close_connection()

    async def _close_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close(timeout=2)
            self._connection = None
            self._connected.clear()

    async def _run(self) -> None:
        import asyncpg

        delay = 0.2
        while True:
            try:
                self._connection = await asyncpg.connect(self._dsn, timeout=10)
                for channel in CHANNELS:
                    await self._connection.add_listener(channel, self._on_notification)
                self._connected.set()
                delay = 0.2
                # Wake every listener once: anything sent while we were away is picked up.
                for channel in (JOBS_CHANNEL, EVENTS_CHANNEL):
                    self._dispatch(channel, "")
                await self._send_loop()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # any failure: reconnect; listeners keep polling
                log.warning("notifier.disconnected", error=str(error), retry_in=delay)
                await self._close_connection()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _send_loop(self) -> None:
        while True:
            await self._send_wakeup.wait()
            self._send_wakeup.clear()
            for channel in CHANNELS:
                payloads, self._pending[channel] = self._pending[channel], set()
                for payload in payloads:
                    await self._connection.execute("SELECT pg_notify($1, $2)", channel, payload)
            if self._connection.is_closed():
                raise OSError("notification connection closed")

    def _on_notification(self, _conn: Any, _pid: int, channel: str, payload: str) -> None:
        self._dispatch(channel, payload)
