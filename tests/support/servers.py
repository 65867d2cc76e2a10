"""Serve an ASGI app (an emulator, the API) on a free loopback port, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

from salesauto.config import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def serve_app(app: ASGIApp) -> AsyncIterator[str]:
    """Run `app` with uvicorn in this event loop; yields its base URL `http://127.0.0.1:port`."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task


def provider_settings(**overrides: object) -> Settings:
    """Settings for client tests: quick breaker and retries, no database use."""
    values: dict[str, object] = {
        "environment": "test",
        "log_level": "WARNING",
        "provider_timeout_seconds": 5.0,
        "provider_breaker_failures": 3,
        "provider_breaker_reset_seconds": 0.5,
        "provider_max_retry_wait_seconds": 15.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
