"""WebSocket abuse: an oversized frame closes the socket with 1009, a flood with 1008."""

from __future__ import annotations

import asyncio

import pytest
import websockets

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.kit.serving import serve_in_background
from tests.conftest import AUTH


async def _closed_code(socket: websockets.ClientConnection) -> int | None:
    with pytest.raises(websockets.ConnectionClosed) as closed:
        async with asyncio.timeout(10):
            while True:
                await socket.recv()
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_oversized_frames_and_floods_close_the_socket(settings: Settings) -> None:
    app = create_app(settings, run_worker=False)
    async with serve_in_background(app) as url:
        address = url.replace("http://", "ws://") + "/ws"
        async with websockets.connect(address, additional_headers=AUTH, max_size=None) as socket:
            await socket.send("x" * 100_000)
            assert await _closed_code(socket) == 1009
        async with websockets.connect(address, additional_headers=AUTH) as socket:
            for _ in range(25):
                await socket.send("ping")
            assert await _closed_code(socket) == 1008
        async with websockets.connect(address, additional_headers=AUTH) as socket:
            await socket.send("one small message is fine")
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.5):
                    await socket.recv()
