"""An API client on the real app (lifespan included) and a live server for WebSocket tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.platform import Platform
from tests.conftest import AUTH


@asynccontextmanager
async def client_for(settings: Settings, *, run_worker: bool) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on the real app, its lifespan (platform, worker) running."""
    app = create_app(settings, run_worker=run_worker)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=AUTH
        ) as client:
            yield client


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(settings, run_worker=True) as client:
        yield client


@pytest.fixture
async def api_only_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(settings, run_worker=False) as client:
        yield client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def live_server(settings: Settings) -> AsyncIterator[tuple[str, Platform]]:
    app = create_app(settings, run_worker=True)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}", app.state.platform
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
