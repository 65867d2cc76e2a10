"""`salesauto mcp`: the MCP server over stdio, as one principal (the operator's, locally).

stdout is the protocol: logs go to stderr (`configure_logging` sends them there)."""

from __future__ import annotations

from mcp.server.stdio import stdio_server

from salesauto.mcp_server.server import build_mcp_server
from salesauto.mcp_server.settings import ToolSelection
from salesauto.platform import Platform
from salesauto.security.principal import Principal


async def serve_stdio(platform: Platform, principal: Principal, selection: ToolSelection) -> None:
    """Serve until the client closes stdin."""
    server = build_mcp_server(platform, lambda _request: principal, selection)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
