"""Fixtures: a lemlist emulator on a real port (simulated time only moves when a test says so)
and a `LemlistClient` pointed at it, as `salesauto` builds it in sandbox mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from salesauto.integrations.lemlist import LemlistClient, lemlist_profile
from salesauto.integrations.providers import build_http, resolve_target
from salesauto.integrations.sandbox.kit import SandboxConfig
from salesauto.integrations.sandbox.lemlist import build_lemlist_emulator
from tests.support.servers import provider_settings, serve_app

DAY = 86400


def make_client(base_url: str) -> LemlistClient:
    settings = provider_settings(lemlist_base_url=base_url)
    target = resolve_target(settings, "lemlist", sandbox_base=None)
    assert target.mode == "sandbox"
    return LemlistClient(build_http(lemlist_profile(target, settings), settings))


@pytest.fixture
async def emulator_url() -> AsyncIterator[str]:
    # time_scale 0: nothing happens on its own; tests advance the simulated clock.
    app = build_lemlist_emulator(SandboxConfig(seed=42, time_scale=0.0))
    async with serve_app(app) as url:
        yield url


@pytest.fixture
async def lemlist(emulator_url: str) -> AsyncIterator[LemlistClient]:
    client = make_client(emulator_url)
    try:
        yield client
    finally:
        await client.http.aclose()


@pytest.fixture
async def control(emulator_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP to the emulator: `/_sandbox` controls and raw vendor calls."""
    async with httpx.AsyncClient(base_url=emulator_url, timeout=30) as raw:
        yield raw


async def advance(control: httpx.AsyncClient, seconds: float) -> dict[str, Any]:
    response = await control.post("/_sandbox/lemlist/advance", json={"seconds": seconds})
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body
