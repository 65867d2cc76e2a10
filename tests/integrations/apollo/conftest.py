"""An Apollo emulator over real HTTP and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from salesauto.integrations.apollo import ApolloClient, apollo_profile
from salesauto.integrations.providers import build_http, resolve_target
from salesauto.integrations.sandbox.apollo import build_apollo_emulator
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.universe import Universe, universe
from tests.support.servers import provider_settings, serve_app


@asynccontextmanager
async def apollo_client(url: str, **overrides: Any) -> AsyncIterator[ApolloClient]:
    settings = provider_settings(apollo_base_url=url, **overrides)
    target = resolve_target(settings, "apollo", sandbox_base=None)
    client = ApolloClient(build_http(apollo_profile(target, settings), settings))
    try:
        yield client
    finally:
        await client.http.aclose()


@pytest.fixture
async def emulator_url() -> AsyncIterator[str]:
    async with serve_app(build_apollo_emulator(SandboxConfig(seed=42))) as url:
        yield url


@pytest.fixture
async def client(emulator_url: str) -> AsyncIterator[ApolloClient]:
    async with apollo_client(emulator_url) as built:
        yield built


@pytest.fixture
def world() -> Universe:
    return universe(42)
