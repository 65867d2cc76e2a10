"""`/api/integrations`: which providers are live or sandboxed, and a real call to each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from salesauto.integrations.checks import ProviderCheck, check_providers
from salesauto.integrations.registry import Integrations

router = APIRouter(prefix="/api/integrations", tags=["integrations"])


def _integrations(request: Request) -> Integrations:
    integrations: Integrations = request.app.state.platform.integrations
    return integrations


IntegrationsDep = Annotated[Integrations, Depends(_integrations)]


@router.get("")
async def list_integrations(integrations: IntegrationsDep) -> dict[str, dict[str, object]]:
    """Each provider's mode (`live`, `sandbox`, `off`), base URL and circuit breaker state."""
    return integrations.snapshot()


@router.post("/check")
async def check_integrations(integrations: IntegrationsDep) -> list[ProviderCheck]:
    """Make one real, read-only call to every provider and report what it returned."""
    return await check_providers(integrations)
