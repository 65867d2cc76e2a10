"""WebSocket `/ws`: job events as JSON, resumable from a cursor after a reconnect."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from salesauto.events.tail import EventTail

router = APIRouter()


@router.websocket("/ws")
async def job_events_socket(websocket: WebSocket) -> None:
    """Streams `job.queued|started|progress|completed|failed|cancelled` events.

    Query parameters: `after` (a `cursor` value from an earlier message: the backlog after
    it is sent first) and `jobId` (only that job's events). Each message carries `id` (drop
    ids already seen) and `cursor` (where to resume).
    """
    tail: EventTail = websocket.app.state.platform.tail
    params = websocket.query_params
    try:
        after = int(params["after"]) if "after" in params else None
        job_id = int(params["jobId"]) if "jobId" in params else None
    except ValueError:
        await websocket.close(code=1008, reason="after and jobId must be integers")
        return
    await websocket.accept()
    owner = websocket.scope.get("state", {}).get("owner_id", "default")
    sender = asyncio.create_task(_send_events(websocket, tail, after, owner, job_id))
    receiver = asyncio.create_task(_drain_client(websocket))
    # Whichever ends first (client gone, or stream closed) ends the other.
    _done, pending = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await task


async def _send_events(
    websocket: WebSocket, tail: EventTail, after: int | None, owner: str, job_id: int | None
) -> None:
    try:
        async for message in tail.stream(after, owner, job_id):
            await websocket.send_json(message.to_wire(tail.resolved_upto))
    except OverflowError as error:
        await websocket.close(code=1013, reason=str(error))
    except WebSocketDisconnect:
        pass


async def _drain_client(websocket: WebSocket) -> None:
    # Clients do not send anything yet; reading lets us notice when they go away.
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()
