"""WebSocket job events: live, in order, and lossless across a reconnect."""

from __future__ import annotations

import asyncio
import json

import httpx
import websockets

from salesauto.jobs.repository import NewJob
from salesauto.platform import Platform
from tests.conftest import AUTH


async def receive_until(socket: websockets.ClientConnection, job_id: str, event: str) -> list[dict]:
    received: list[dict] = []
    async with asyncio.timeout(15):
        while True:
            message = json.loads(await socket.recv())
            received.append(message)
            if message["jobId"] == job_id and message["event"] == event:
                return received


async def test_a_client_sees_every_state_of_a_job(live_server: tuple[str, Platform]) -> None:
    address, _ = live_server
    async with websockets.connect(f"ws://{address}/ws", additional_headers=AUTH) as socket:
        async with httpx.AsyncClient(base_url=f"http://{address}", headers=AUTH) as client:
            job_id = (
                await client.post(
                    "/api/jobs", json={"type": "sleep", "parameters": {"seconds": 1.2}}
                )
            ).json()["jobId"]
        messages = await receive_until(socket, job_id, "job.completed")

    events = [m["event"] for m in messages if m["jobId"] == job_id]
    assert events[0] == "job.queued"
    assert events[1] == "job.started"
    assert "job.progress" in events
    assert events[-1] == "job.completed"
    ids = [m["id"] for m in messages]
    assert ids == sorted(ids)


async def test_reconnecting_with_the_cursor_misses_nothing(
    live_server: tuple[str, Platform],
) -> None:
    address, _platform = live_server
    async with httpx.AsyncClient(base_url=f"http://{address}", headers=AUTH) as client:
        async with websockets.connect(f"ws://{address}/ws", additional_headers=AUTH) as socket:
            first = (await client.post("/api/jobs", json={"type": "noop"})).json()["jobId"]
            seen = await receive_until(socket, first, "job.completed")
        cursor = seen[-1]["cursor"]
        # While disconnected, more work happens.
        missed = [
            (await client.post("/api/jobs", json={"type": "noop"})).json()["jobId"]
            for _ in range(5)
        ]
        await asyncio.sleep(1.0)
        async with websockets.connect(
            f"ws://{address}/ws?after={cursor}", additional_headers=AUTH
        ) as socket:
            replayed = await receive_until(socket, missed[-1], "job.completed")

    completed = {m["jobId"] for m in replayed if m["event"] == "job.completed"}
    assert set(missed) <= completed


async def test_only_one_jobs_events_with_job_id(live_server: tuple[str, Platform]) -> None:
    address, _ = live_server
    async with httpx.AsyncClient(base_url=f"http://{address}", headers=AUTH) as client:
        wanted = (await client.post("/api/jobs", json={"type": "noop"})).json()["jobId"]
        await client.post("/api/jobs", json={"type": "noop"})
        async with websockets.connect(
            f"ws://{address}/ws?after=0&jobId={wanted}", additional_headers=AUTH
        ) as socket:
            messages = await receive_until(socket, wanted, "job.completed")
    assert {m["jobId"] for m in messages} == {wanted}


async def test_a_long_backlog_is_replayed_whole(platform: Platform) -> None:
    ids = await platform.queue.enqueue_many([NewJob(type="noop") for _ in range(2500)])
    received: list[int] = []

    async def read() -> None:
        async for message in platform.tail.stream(0, "default"):
            received.append(message.job_id)
            if len(received) == len(ids):
                return

    await asyncio.wait_for(read(), 30)
    assert received == ids
