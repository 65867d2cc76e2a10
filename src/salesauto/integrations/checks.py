"""`check_providers`: one real call per provider, reported as mode, outcome and latency."""

from __future__ import annotations

import asyncio
import time

from pydantic import BaseModel, ConfigDict, Field

from salesauto.integrations.http.errors import ProviderError
from salesauto.integrations.registry import Integrations


class ProviderCheck(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    provider: str
    mode: str = Field(description="`live`, `sandbox` or `off`")
    base_url: str = Field(alias="baseUrl")
    ok: bool
    detail: str = Field(description="What the call returned, or what failed and what to do")
    latency_ms: float | None = Field(None, alias="latencyMs")


async def check_provider(integrations: Integrations, name: str) -> ProviderCheck:
    target = integrations.targets[name]
    base = {"provider": name, "mode": target.mode, "baseUrl": target.base_url}
    client = integrations.clients.get(name)
    if client is None:
        return ProviderCheck(
            **base, ok=False, detail="not configured: set its key or enable the sandbox"
        )
    started = time.perf_counter()
    try:
        summary: str = await client.check()
    except ProviderError as error:
        return ProviderCheck(**base, ok=False, detail=error.message)
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return ProviderCheck(**base, ok=True, detail=summary, latencyMs=elapsed)


async def check_providers(integrations: Integrations) -> list[ProviderCheck]:
    names = list(integrations.targets)
    return list(await asyncio.gather(*(check_provider(integrations, n) for n in names)))
