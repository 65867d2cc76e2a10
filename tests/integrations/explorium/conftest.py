"""An Explorium emulator over real HTTP and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from salesauto.integrations.explorium import ExploriumClient, explorium_profile
from salesauto.integrations.providers import build_http, resolve_target
from salesauto.integrations.sandbox.explorium import build_explorium_emulator
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.universe import Universe, universe
from tests.support.servers import provider_settings, serve_app


@asynccontextmanager
async def explorium_client(url: str, **overrides: Any) -> AsyncIterator[ExploriumClient]:
    settings = provider_settings(explorium_base_url=url, **overrides)
    target = resolve_target(settings, "explorium", sandbox_base=None)
    client = ExploriumClient(build_http(explorium_profile(target, settings), settings))
    try:
        yield client
    finally:
        await client.http.aclose()


@pytest.fixture
async def emulator_url() -> AsyncIterator[str]:
    async with serve_app(build_explorium_emulator(SandboxConfig(seed=42))) as url:
        yield url


@pytest.fixture
async def client(emulator_url: str) -> AsyncIterator[ExploriumClient]:
    async with explorium_client(emulator_url) as built:
        yield built


@pytest.fixture
def world() -> Universe:
    return universe(42)
