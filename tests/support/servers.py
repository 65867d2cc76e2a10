"""Serve an ASGI app (an emulator, the API) on a free loopback port, over real HTTP."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.types import ASGIApp

from salesauto.config import Settings
from salesauto.kit.serving import serve_in_background
from salesauto.platform import Platform


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def serve_app(app: ASGIApp) -> AsyncIterator[str]:
    """Run `app` with uvicorn in this event loop (lifespan included); yields its base URL."""
    async with serve_in_background(app) as url:
        yield url


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
    return Settings(_env_file=None, **values)  # type: ignore[arg-type, call-arg]


@asynccontextmanager
async def sandbox_process(**env: str) -> AsyncIterator[str]:
    """`salesauto sandbox` in its own process, as a provider is: its clock does not stall
    when the test's event loop is busy. Yields the base URL (vendors under `/<vendor>`)."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "salesauto",
        "sandbox",
        "--port",
        str(port),
        env={
            **os.environ,
            "SALESAUTO_LOG_LEVEL": "WARNING",
            "SALESAUTO_SANDBOX_TIME_SCALE": "0.001",
            **env,
        },
        stdout=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as probe:
            for _ in range(300):
                try:
                    if (await probe.get("/")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise RuntimeError("the sandbox process did not start")
        yield base
    finally:
        process.terminate()
        await process.wait()


@asynccontextmanager
async def running_platform(settings: Settings) -> AsyncIterator[Platform]:
    """A started platform with a worker (and scheduler) running, stopped on exit."""
    platform = Platform.build(settings)
    await platform.start()
    platform.start_worker()
    try:
        yield platform
    finally:
        await platform.stop()
