"""`/ws` authentication: tickets once and briefly, cookies only from an allowed Origin, a revoked
key's socket closed with 1008, and each workspace hearing only its own events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from fastapi import FastAPI

from salesauto.app import create_app
from salesauto.config import Settings
from salesauto.events import endpoints as events
from salesauto.platform import Platform
from salesauto.security import tickets
from tests.conftest import AUTH, make_settings
from tests.security.keys_support import bearer


@dataclass
class Live:
    http: httpx.AsyncClient
    socket_url: str  # ws://127.0.0.1:<port>/ws
    origin: str  # the app's own origin
    platform: Platform

    async def ticket(self, headers: dict[str, str] = AUTH) -> str:
        response = await self.http.post("/api/ws-ticket", headers=headers)
        assert response.status_code == 201, response.text
        value: str = response.json()["ticket"]
        return value


@asynccontextmanager
async def live(settings: Settings, *, worker: bool = False) -> AsyncIterator[Live]:
    app: FastAPI = create_app(settings, run_worker=worker)
    server = uvicorn.Server(
        # uvicorn's INFO lines include each WebSocket's path and query string.
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="info", ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    try:
        async with httpx.AsyncClient(base_url=url) as http:
            yield Live(http, url.replace("http://", "ws://") + "/ws", url, app.state.platform)
    finally:
        server.should_exit = True
        await task


async def refused_status(url: str, **headers: str) -> int:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(url, additional_headers=headers):
            pass
    status: int = refused.value.response.status_code
    return status


async def messages_until(socket: Any, job_id: str) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    async with asyncio.timeout(15):
        while True:
            message = json.loads(await socket.recv())
            received.append(message)
            if message["jobId"] == job_id and message["event"] == "job.completed":
                return received


async def test_a_ticket_opens_one_socket_once_and_briefly(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async with live(make_settings(database_url, log_level="INFO")) as app:
        assert await refused_status(app.socket_url) == 401
        assert await refused_status(f"{app.socket_url}?ticket=made-up") == 401
        issued = await app.http.post("/api/ws-ticket", headers=AUTH)
        assert issued.json()["expiresIn"] == 60
        ticket = issued.json()["ticket"]
        async with websockets.connect(f"{app.socket_url}?ticket={ticket}") as socket:
            assert socket.state is websockets.protocol.State.OPEN
        assert await refused_status(f"{app.socket_url}?ticket={ticket}") == 401
        # On plain HTTP a ticket is no credential at all.
        assert (await app.http.get(f"/api/jobs?ticket={await app.ticket()}")).status_code == 401
        monkeypatch.setattr(tickets, "TICKET_SECONDS", 0.05)
        expiring = await app.ticket()
        await asyncio.sleep(0.1)
        assert await refused_status(f"{app.socket_url}?ticket={expiring}") == 401
    logged = capsys.readouterr().err
    assert '"WebSocket /ws" [accepted]' in logged  # uvicorn's log was captured...
    assert "/api/ws-ticket" in logged  # ...and ours...
    assert ticket not in logged and "made-up" not in logged  # ...and neither holds a ticket


async def test_a_session_cookie_opens_a_socket_only_from_an_allowed_origin(
    settings: Settings,
) -> None:
    async with live(settings) as app:
        signed_in = await app.http.post("/api/session", headers=AUTH)
        assert signed_in.status_code == 201, signed_in.text
        cookie = f"session={signed_in.cookies['session']}"
        async with websockets.connect(
            app.socket_url, additional_headers={"Cookie": cookie, "Origin": app.origin}
        ) as socket:
            assert socket.state is websockets.protocol.State.OPEN
        for origin in ("https://evil.example", "null"):
            assert await refused_status(app.socket_url, Cookie=cookie, Origin=origin) == 401
        assert await refused_status(app.socket_url, Cookie=cookie) == 401

        # A page can also trade its session (and CSRF token) for a ticket.
        token = (await app.http.get("/api/csrf-token")).json()["csrfToken"]
        issued = await app.http.post("/api/ws-ticket", headers={"X-CSRF-Token": token})
        assert issued.status_code == 201, issued.text
        async with websockets.connect(f"{app.socket_url}?ticket={issued.json()['ticket']}"):
            pass


async def test_a_revoked_keys_socket_is_closed_with_1008(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events, "KEY_RECHECK_SECONDS", 0.1)
    async with live(make_settings(database_url, key_cache_seconds=0)) as app:
        issued = await app.http.post(
            "/api/keys", headers=AUTH, json={"name": "watcher", "scopes": ["jobs:read"]}
        )
        key, key_id = issued.json()["key"], issued.json()["id"]
        async with websockets.connect(app.socket_url, additional_headers=bearer(key)) as socket:
            revoked = await app.http.post(f"/api/keys/{key_id}/revoke", headers=AUTH)
            assert revoked.status_code == 200
            with pytest.raises(websockets.ConnectionClosed):
                async with asyncio.timeout(5):
                    while True:
                        await socket.recv()
            assert socket.close_code == 1008


async def test_a_workspace_never_hears_another_workspaces_events(settings: Settings) -> None:
    async with live(settings, worker=True) as app:
        other_key = (await app.platform.keys.create("acme", "acme admin", ["admin"])).plain
        async with websockets.connect(app.socket_url, additional_headers=AUTH) as mine:
            job = (await app.http.post("/api/jobs", headers=AUTH, json={"type": "noop"})).json()
            await messages_until(mine, job["jobId"])
        # After the first job is done: its events would be in the backlog and the live stream.
        async with websockets.connect(
            f"{app.socket_url}?after=0", additional_headers=bearer(other_key)
        ) as theirs:
            own = await app.http.post("/api/jobs", headers=bearer(other_key), json={"type": "noop"})
            heard = await messages_until(theirs, own.json()["jobId"])
        assert {message["jobId"] for message in heard} == {own.json()["jobId"]}
