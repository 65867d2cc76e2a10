"""The API with an in-process worker, served over real HTTP on a free port: server-sent
events and WebSockets arrive as a client would see them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.platform import Platform
from tests.conftest import AUTH
from tests.support.servers import free_port


@asynccontextmanager
async def live_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the served API (admin key); `client.platform` is the server's platform,
    `client.address` its host:port."""
    app = create_app(settings, run_worker=True)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    # The server's own task runs the lifespan, so it starts and stops in one task.
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers=AUTH, timeout=30
        ) as client:
            client.platform = app.state.platform  # type: ignore[attr-defined]
            client.address = f"127.0.0.1:{port}"  # type: ignore[attr-defined]
            yield client
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task


def platform_of(client: httpx.AsyncClient) -> Platform:
    platform: Platform = client.platform  # type: ignore[attr-defined]
    return platform
