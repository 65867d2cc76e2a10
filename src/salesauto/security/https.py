"""Plain-HTTP requests refused (API) or redirected (browser pages) when HTTPS is required.

`scope["scheme"]` is trusted: uvicorn's proxy-headers middleware sets it from
X-Forwarded-Proto only for the proxies in `forwarded_allow_ips`, so a client cannot fake it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Self
from urllib.parse import quote

from starlette.types import ASGIApp, Receive, Scope, Send

from salesauto.security.refusals import refuse

if TYPE_CHECKING:
    from salesauto.security.settings import SecuritySettings

INSECURE_SCHEMES = frozenset({"http", "ws"})
# Load balancers probe these over plain HTTP inside the private network.
PROBE_PREFIX = "/health"  # /health, /health/ready, /healthz
METRICS = ("/metrics",)
# Pages a person opens in a browser: a redirect is the helpful answer there.
BROWSER_PREFIXES = ("/dashboard", "/docs", "/redoc")
# A Host header we are willing to put in a Location (TrustedHost already vetted it).
SAFE_HOST = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


class HttpsOnly:
    """API and WebSocket calls over plain HTTP get 400, never a redirect: the key already
    went out in clear, and a client that follows redirects would send it again and succeed,
    hiding the leak. Browser pages get a 308 to the same URL over HTTPS."""

    def __init__(self, app: ASGIApp, *, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled

    @classmethod
    def from_settings(cls, app: ASGIApp, settings: SecuritySettings) -> Self:
        return cls(app, enabled=settings.require_https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.enabled
            or scope["type"] not in ("http", "websocket")
            or scope.get("scheme") not in INSECURE_SCHEMES
        ):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(PROBE_PREFIX) or _under(path, METRICS):
            await self.app(scope, receive, send)
            return
        host = _host(scope)
        target = f"https://{host or '<this host>'}{_path_and_query(scope)}"
        if scope["type"] == "http" and host and (path == "/" or _under(path, BROWSER_PREFIXES)):
            await send(
                {
                    "type": "http.response.start",
                    "status": 308,
                    "headers": [(b"location", target.encode()), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await refuse(
            scope,
            receive,
            send,
            400,
            f"HTTPS is required: call {target} (plain HTTP would expose your key)",
        )


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)


def _host(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"host":
            host: str = value.decode("latin-1")
            if not SAFE_HOST.match(host):
                return None
            # https is on 443: an explicit :80 would send the browser to the wrong port.
            return host.removesuffix(":80")
    return None


def _path_and_query(scope: Scope) -> str:
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else quote(scope["path"])
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path
