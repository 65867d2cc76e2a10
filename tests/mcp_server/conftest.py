"""Fixtures of the MCP tests: the platform on the sandbox emulators, and an official MCP
client connected in memory to a server of some selection, as some principal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from mcp import Client
from mcp_types import CallToolResult

from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.mcp_server.server import build_mcp_server
from salesauto.mcp_server.settings import ToolSelection
from salesauto.platform import Platform
from salesauto.security.principal import Principal
from tests.conftest import make_settings
from tests.support.servers import serve_app

ADMIN = Principal(workspace="default", key_id="t", scopes=frozenset({"admin"}))
Connect = Callable[..., AbstractAsyncContextManager[Client]]


@pytest.fixture
async def sandbox_url() -> AsyncIterator[str]:
    """All four emulators on a real port (lemlist's clock stopped: nothing is sent behind
    the test's back)."""
    async with serve_app(build_sandbox_app(SandboxConfig(time_scale=0.0))) as url:
        yield url


@pytest.fixture
async def sandbox_platform(database_url: str, sandbox_url: str) -> AsyncIterator[Platform]:
    settings = make_settings(
        database_url, sandbox_url=sandbox_url, public_base_url="https://sales.example.com"
    )
    platform = Platform.build(settings)
    await platform.start()
    try:
        yield platform
    finally:
        await platform.stop()


@pytest.fixture
def connect(sandbox_platform: Platform) -> Connect:
    """`async with connect(toolsets=[...], read_only=..., principal=...) as client`."""

    def connected(
        toolsets: tuple[str, ...] = ("all",),
        *,
        tools: tuple[str, ...] = (),
        exclude_tools: tuple[str, ...] = (),
        read_only: bool = False,
        principal: Principal = ADMIN,
    ) -> AbstractAsyncContextManager[Client]:
        selection = ToolSelection.of(toolsets, tools, exclude_tools, read_only=read_only)
        server = build_mcp_server(sandbox_platform, lambda _request: principal, selection)
        return Client(server, raise_exceptions=True)

    return connected


def structured(result: CallToolResult) -> dict[str, Any]:
    """A successful call's structured content (the assertion shows the tool's message)."""
    text = getattr(result.content[0], "text", "") if result.content else ""
    assert not result.is_error, text
    assert isinstance(result.structured_content, dict), text
    return result.structured_content


def error_text(result: CallToolResult) -> str:
    assert result.is_error, result.structured_content
    text: str = getattr(result.content[0], "text", "")
    return text


async def names(client: Client) -> set[str]:
    return {tool.name for tool in (await client.list_tools()).tools}
