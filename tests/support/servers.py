"""Serve an ASGI app (an emulator, the API) on a free loopback port, over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.types import ASGIApp

from salesauto.config import Settings
from salesauto.kit.serving import serve_in_background


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
