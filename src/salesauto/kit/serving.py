"""Run an ASGI app with uvicorn inside the current event loop (CLI helpers, tests, demos)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from starlette.types import ASGIApp

# How salesauto is served everywhere (`serve`, tests, demos): forwarded headers are applied by
# the app itself from SALESAUTO_FORWARDED_ALLOW_IPS only, no Server header, and WebSocket
# messages over 64 KiB close the connection (1009) — clients only ever send small frames.
SERVER_OPTIONS: dict[str, object] = {
    "proxy_headers": False,
    "server_header": False,
    "ws": "websockets-sansio",
    "ws_max_size": 65_536,
}


@asynccontextmanager
async def serve_in_background(
    app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve `app` until the block exits; yields its base URL (`port=0` picks a free port)."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", **SERVER_OPTIONS)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError(f"the server on {host}:{port} stopped while starting")
        await asyncio.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        await task
