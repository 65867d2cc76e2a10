"""`/mcp` on `salesauto serve`: the MCP server over streamable HTTP, stateless, each request
run as the API key the `Authenticate` middleware already verified (no key: its 401)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import mcp_types as types
from mcp.server import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from salesauto.mcp_server.server import RequestContext, build_mcp_server
from salesauto.mcp_server.settings import ToolSelection
from salesauto.platform import Platform
from salesauto.security.principal import Principal, principal_of
from salesauto.security.refusals import refuse
from salesauto.tools.toolsets import platform_registry

MCP_PATH = "/mcp"


def request_principal(request: RequestContext) -> Principal:
    """The caller of this HTTP request (each request may carry another key)."""
    http_request: Any = request.request
    principal = principal_of(http_request.scope) if http_request is not None else None
    if principal is None:
        # Authenticate answers 401 before /mcp runs; reaching here is a wiring bug.
        raise MCPError(types.INVALID_REQUEST, "authentication required")
    return principal


class McpEndpoint:
    """The ASGI app at `/mcp`. Built with the app (a bad selection stops the start-up), served
    once the platform exists: enter `serving(platform)` in the app's lifespan."""

    def __init__(self, selection: ToolSelection) -> None:
        selection.apply(platform_registry())  # an unknown toolset or tool fails here
        self.selection = selection
        self._server: Server[Any] | None = None

    @asynccontextmanager
    async def serving(self, platform: Platform) -> AsyncIterator[None]:
        self._server = build_mcp_server(platform, request_principal, self.selection)
        try:
            yield
        finally:
            self._server = None

    def route(self) -> Route:
        """`/mcp` exactly, every method (a `Mount` would redirect `/mcp` to `/mcp/`)."""
        return Route(MCP_PATH, endpoint=self, include_in_schema=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._server is None:
            await refuse(scope, receive, send, 503, "the MCP server is starting; retry shortly")
            return
        # A manager per request, run inside it: stateless requests share nothing, and the
        # manager's task group must not outlive the request's task (an app lifespan may be
        # entered in one task and left in another, which anyio refuses).
        manager = StreamableHTTPSessionManager(
            app=self._server,
            stateless=True,
            # Server-sent events, not one JSON answer: a long tool streams its progress.
            json_response=False,
            # The app's trusted-host check and CSRF guard already ran; the SDK's own
            # localhost-only Host check would refuse every deployed hostname.
            security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        async with manager.run():
            await manager.handle_request(scope, receive, send)
