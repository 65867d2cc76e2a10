"""A HubSpot emulator served over real HTTP and a `HubSpotClient` pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from salesauto.integrations.hubspot import HubSpotClient, hubspot_profile
from salesauto.integrations.providers import build_http, resolve_target
from salesauto.integrations.sandbox.hubspot import build_hubspot_emulator
from salesauto.integrations.sandbox.hubspot.state import HubSpotState
from salesauto.integrations.sandbox.kit import SandboxConfig
from tests.support.servers import provider_settings, serve_app

# High enough that tests which are not about rate limits never hit one.
ROOMY = 1000


@dataclass
class HubSpotSandbox:
    client: HubSpotClient
    app: FastAPI
    url: str

    @property
    def state(self) -> HubSpotState:
        state: HubSpotState = self.app.state.hubspot
        return state

    async def stats(self) -> dict[str, int]:
        async with httpx.AsyncClient(base_url=self.url) as raw:
            stats: dict[str, int] = (await raw.get("/_sandbox/stats")).json()
            return stats


@asynccontextmanager
async def hubspot_sandbox(
    config: SandboxConfig | None = None, *, daily_limit: int | None = None, **settings: object
) -> AsyncIterator[HubSpotSandbox]:
    """Emulator (roomy limits unless `config` says otherwise) plus a client in sandbox mode."""
    config = config or SandboxConfig(hubspot_requests_per_10s=ROOMY)
    app = (
        build_hubspot_emulator(config)
        if daily_limit is None
        else build_hubspot_emulator(config, daily_limit=daily_limit)
    )
    async with serve_app(app) as url:
        values: dict[str, object] = {"hubspot_requests_per_10s": ROOMY, **settings}
        options = provider_settings(hubspot_base_url=url, **values)
        target = resolve_target(options, "hubspot", sandbox_base=None)
        client = HubSpotClient(build_http(hubspot_profile(target, options), options))
        try:
            yield HubSpotSandbox(client, app, url)
        finally:
            await client.http.aclose()


def raw_client(url: str, token: str | None = "test-token") -> httpx.AsyncClient:
    """Plain HTTP to the emulator, for checking its wire behaviour."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=url, headers=headers)
