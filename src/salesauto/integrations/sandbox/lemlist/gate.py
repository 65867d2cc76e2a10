"""What every lemlist route shares: plain-text errors, the API key (HTTP Basic with an empty
username, or `?access_token=`), and the 20-requests-per-2-s window with its headers."""

from __future__ import annotations

import base64
import binascii
import math
from datetime import UTC, datetime
from urllib.parse import parse_qs

from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesauto.integrations.sandbox.kit import CONTROL_PREFIX, Decision, SandboxKit, SlidingWindow
from salesauto.integrations.sandbox.lemlist.runtime import LemlistRuntime

RATE_LIMIT = 20
RATE_WINDOW_SECONDS = 2.0
INVALID_KEY = "invalid-key"  # the one key the sandbox refuses, so tests can see a 401


class LemlistError(Exception):
    """Raised by routes; answered as lemlist does, a text/plain body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def text_error(status: int, message: str, retry_after: float | None = None) -> Response:
    headers = {"Retry-After": str(math.ceil(retry_after))} if retry_after is not None else None
    return PlainTextResponse(message, status_code=status, headers=headers)


def js_date(moment: float) -> str:
    """lemlist's `X-RateLimit-Reset`: JavaScript's Date#toString, here in UTC."""
    stamp = datetime.fromtimestamp(moment, UTC)
    return stamp.strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")


def rate_headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    values = {
        "retry-after": str(max(math.ceil(decision.retry_after), 1 if not decision.allowed else 0)),
        "x-ratelimit-limit": str(decision.limit),
        "x-ratelimit-remaining": str(decision.remaining),
        "x-ratelimit-reset": js_date(decision.reset_at),
    }
    return [(key.encode(), value.encode()) for key, value in values.items()]


def api_key(scope: Scope) -> tuple[str | None, bool]:
    """(key, well_formed). Basic `:key` (or `key:`), else `?access_token=`."""
    for name, value in scope.get("headers", []):
        if name != b"authorization":
            continue
        scheme, _, token = value.decode("latin-1").partition(" ")
        if scheme.lower() != "basic":
            return None, False
        try:
            user, _, password = base64.b64decode(token.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, False
        return (password or user or None), True
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    token = (query.get("access_token") or [""])[0]
    return (token or None), True


class LemlistGate:
    """ASGI middleware in front of the vendor routes (the `/_sandbox` controls skip it)."""

    def __init__(
        self, app: ASGIApp, runtime: LemlistRuntime, kit: SandboxKit, window: SlidingWindow
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.kit = kit
        self.window = window

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.runtime.ensure_started()
        path: str = scope.get("path", "")
        if path.removeprefix(scope.get("root_path", "")).startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        key, well_formed = api_key(scope)
        if not well_formed or key == INVALID_KEY:
            response = text_error(401, "The authentication you supplied is incorrect")
            await response(scope, receive, send)
            return
        if key is None:
            await text_error(400, "No API key provided")(scope, receive, send)
            return
        decision = self.window.hit(key)
        headers = rate_headers(decision)
        if not decision.allowed:
            self.kit.record_throttled()
            response = PlainTextResponse("Too Many Requests", status_code=429)
            response.raw_headers.extend(headers)
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
