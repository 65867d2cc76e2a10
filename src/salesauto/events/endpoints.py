"""WebSocket `/ws`: job events as JSON, resumable from a cursor after a reconnect.

A connection lives no longer than the key behind it: revoking or expiring the key closes its
open sockets with 1008 within `KEY_RECHECK_SECONDS` (plus the key cache time of other
processes).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.exc import SQLAlchemyError

from salesauto.events.tail import EventTail
from salesauto.security.principal import principal_of
from salesauto.security.session_endpoints import browser_auth
from salesauto.security.sessions import KeyActivity

# More client messages than this within the window close the socket (1008).
FLOOD_MESSAGES = 20
FLOOD_SECONDS = 10.0

log = structlog.get_logger(__name__)
router = APIRouter()
# How often an open socket re-checks that its key is still neither revoked nor expired.
KEY_RECHECK_SECONDS = 5.0
WS_POLICY_VIOLATION = 1008


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
    # Per-workspace rooms: a client only ever reads its own workspace's events.
    principal = principal_of(websocket.scope)
    if principal is None:
        await websocket.close(code=1008, reason="authentication required")
        return
    owner = principal.workspace
    await websocket.accept()
    sender = asyncio.create_task(_send_events(websocket, tail, after, owner, job_id))
    receiver = asyncio.create_task(_drain_client(websocket))
    watcher = asyncio.create_task(
        _until_key_inactive(browser_auth(websocket.scope).activity, principal.key_id)
    )
    # Whichever ends first (client gone, stream closed, key revoked) ends the others.
    done, pending = await asyncio.wait(
        {sender, receiver, watcher}, return_when=asyncio.FIRST_COMPLETED
    )
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await task
    if watcher in done:
        # Closed here, after the sender stopped, so no event can follow the close.
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close(code=WS_POLICY_VIOLATION, reason="the API key was revoked")


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


async def _until_key_inactive(activity: KeyActivity, key_id: str) -> None:
    while True:
        await asyncio.sleep(KEY_RECHECK_SECONDS)
        try:
            if not await activity.is_active(key_id):
                return
        except (SQLAlchemyError, OSError) as error:
            # The database is briefly away: keep the socket and ask again next time.
            log.warning("events.key_recheck_failed", key_id=key_id, error=type(error).__name__)


async def _drain_client(websocket: WebSocket) -> None:
    # Clients have nothing to send; reading lets us notice when they go away, and a client
    # flooding messages anyway is closed rather than allowed to keep the server busy.
    window: deque[float] = deque(maxlen=FLOOD_MESSAGES)
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()
            window.append(time.monotonic())
            if len(window) == FLOOD_MESSAGES and window[-1] - window[0] < FLOOD_SECONDS:
                await websocket.close(code=1008, reason="too many messages")
                return
