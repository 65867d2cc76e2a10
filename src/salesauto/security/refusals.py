"""The JSON error the request guards answer with, over HTTP or on a WebSocket handshake."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.responses import JSONResponse
from starlette.types import Receive, Scope, Send

# Close code for a handshake refused by policy when the server cannot send an HTTP answer.
WS_POLICY_VIOLATION = 1008


async def refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    error: str,
    *,
    headers: Mapping[str, str] | None = None,
    details: Mapping[str, object] | None = None,
) -> None:
    """Answer `{"success": false, "error": ...}` with `status`, before the app sees the request.

    A WebSocket handshake gets the same JSON as an HTTP denial response when the server
    supports it (uvicorn does), else it is closed with 1008 before being accepted.
    """
    response = JSONResponse(
        {"success": False, "error": error, **(details or {})}, status_code=status, headers=headers
    )
    if scope["type"] == "websocket" and "websocket.http.response" not in scope.get(
        "extensions", {}
    ):
        await send({"type": "websocket.close", "code": WS_POLICY_VIOLATION, "reason": ""})
        return
    # Starlette prefixes the messages with `websocket.` for a WebSocket scope.
    await response(scope, receive, send)
