"""One access-log line per request, with a request id, plus request metrics (pure ASGI)."""

from __future__ import annotations

import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesauto.observability import metrics

log = structlog.get_logger("salesauto.access")
LEMLIST_HOOK_PATH = "/webhooks/lemlist/"


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode()[:64]
        request_id = incoming if incoming.isascii() and incoming else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            metrics.HTTP_REQUESTS.labels(route, scope["method"], str(status)).inc()
            metrics.HTTP_DURATION.labels(route).observe(elapsed)
            log.info(
                "http.request",
                method=scope["method"],
                path=_loggable_path(scope["path"]),
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")


def _loggable_path(path: str) -> str:
    # A lemlist hook's URL token is its secret: never written to the access log.
    if path.startswith(LEMLIST_HOOK_PATH):
        return LEMLIST_HOOK_PATH + "***"
    return path


def _route_template(scope: Scope) -> str:
    # The matched route's template keeps label cardinality bounded (/api/jobs/{job_id}).
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"
