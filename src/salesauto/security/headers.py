"""Security headers on every HTTP response, errors included (pure ASGI)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Self

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from salesauto.security.settings import SecuritySettings

# JSON never needs to load anything, and nobody may frame it.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# The dashboard is a same-origin bundle: its scripts, styles and API calls come from here.
DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from jsDelivr (ReDoc its fonts
# from Google, its worker from a blob) and start them with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; "
    "img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DASHBOARD_PREFIX = "/dashboard"
DOCS_PREFIXES = ("/docs", "/redoc")
NO_STORE_PREFIX = "/api"
# Set even when the route set its own value: a route must not weaken these two.
ALWAYS_OURS = frozenset({"content-security-policy", "x-content-type-options"})


class SecurityHeaders:
    """Adds nosniff, CSP, framing, referrer, opener and (with HTTPS) HSTS headers.

    Headers a route set itself are kept, except CSP and nosniff, which are always ours. A
    route that raises gets a JSON 500 sent from here, so it carries the headers too (the app's
    500 handler runs outside every middleware); the exception still propagates to be logged.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        hsts_seconds: int | None,
        dashboard_csp: str = DASHBOARD_CSP,
        docs_csp: str = DOCS_CSP,
    ) -> None:
        self.app = app
        self.dashboard_csp = dashboard_csp
        self.docs_csp = docs_csp
        self.common: list[tuple[str, str]] = [
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        if hsts_seconds is not None:
            self.common.append(
                ("Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains")
            )

    @classmethod
    def from_settings(cls, app: ASGIApp, settings: SecuritySettings) -> Self:
        # HSTS only when the deployment really serves HTTPS; otherwise it would lock browsers out.
        return cls(app, hsts_seconds=settings.hsts_seconds if settings.require_https else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self.headers_for(scope["path"])
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in wanted:
                    if name.lower() in ALWAYS_OURS or name not in headers:
                        headers[name] = value
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                body = _internal_error(scope)
                length = str(len(body)).encode()
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", length),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
            raise

    def headers_for(self, path: str) -> list[tuple[str, str]]:
        if path == DASHBOARD_PREFIX or path.startswith(DASHBOARD_PREFIX + "/"):
            csp = self.dashboard_csp
        elif any(path == p or path.startswith(p + "/") for p in DOCS_PREFIXES):
            csp = self.docs_csp
        else:
            csp = API_CSP
        wanted = [*self.common, ("Content-Security-Policy", csp)]
        if path == NO_STORE_PREFIX or path.startswith(NO_STORE_PREFIX + "/"):
            # Contacts and keys must not linger in browser or proxy caches.
            wanted.append(("Cache-Control", "no-store"))
        return wanted


def _internal_error(scope: Scope) -> bytes:
    # Same body as the app's own 500 handler: generic, with the id to find the log line.
    request_id = scope.get("state", {}).get("request_id")
    error = "internal error; the log has details"
    return json.dumps({"success": False, "error": error, "requestId": request_id}).encode()
