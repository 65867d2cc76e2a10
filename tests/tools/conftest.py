"""Fixtures of the tool registry tests: the platform's registry and a caller of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.server import build_sandbox_app
from salesauto.platform import Platform
from salesauto.security.principal import Principal
from salesauto.tools.registry import ToolRegistry
from salesauto.tools.spec import ToolContext, ToolOutcome
from salesauto.tools.toolsets import platform_registry
from tests.conftest import make_settings
from tests.support.servers import serve_app

SECRET = b"s" * 32
ADMIN = Principal(workspace="default", key_id="t", scopes=frozenset({"admin"}))


@dataclass
class Caller:
    """Calls tools as one principal; `ok` asserts success and returns the structured content."""

    registry: ToolRegistry
    platform: Platform
    principal: Principal = ADMIN

    def context(self, principal: Principal | None = None) -> ToolContext:
        return ToolContext(self.platform, principal or self.principal, SECRET)

    async def call(self, name: str, **arguments: Any) -> ToolOutcome:
        return await self.registry.call(name, arguments, self.context())

    async def ok(self, name: str, **arguments: Any) -> dict[str, Any]:
        outcome = await self.call(name, **arguments)
        assert not outcome.is_error, outcome.text
        assert outcome.structured_content is not None
        return outcome.structured_content

    async def confirmed(self, name: str, **arguments: Any) -> dict[str, Any]:
        """A dry run, then the real call with its token."""
        dry = await self.ok(name, **arguments)
        assert dry["dry_run"] is True, dry
        return await self.ok(name, **arguments, confirm_token=dry["confirm_token"])


@pytest.fixture(scope="session")
def registry() -> ToolRegistry:
    return platform_registry().select(toolsets=["all"])


@pytest.fixture
def tools(registry: ToolRegistry, platform: Platform) -> Caller:
    return Caller(registry, platform)


@pytest.fixture
async def sandbox_tools(registry: ToolRegistry, database_url: str) -> AsyncIterator[Caller]:
    """A caller whose platform's lemlist is the emulator on a real port (its clock stopped)."""
    sandbox = build_sandbox_app(SandboxConfig(time_scale=0.0), ["lemlist"])
    async with serve_app(sandbox) as url:
        settings = make_settings(
            database_url, sandbox_url=url, public_base_url="https://sales.example.com"
        )
        platform = Platform.build(settings)
        await platform.start()
        try:
            yield Caller(registry, platform)
        finally:
            await platform.stop()
