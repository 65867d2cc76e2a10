"""`/api/integrations`: which providers are live or sandboxed, and a real call to each."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, SecretStr

from salesauto.integrations.checks import ProviderCheck, check_providers
from salesauto.integrations.registry import Integrations
from salesauto.kit.schemas import ApiModel
from salesauto.security import audit
from salesauto.security.credentials import StoredCredential
from salesauto.security.principal import current_principal
from salesauto.security.scopes import scoped

router = APIRouter(
    prefix="/api/integrations", tags=["integrations"], dependencies=[scoped("integrations")]
)


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


class CredentialSet(ApiModel):
    secret: SecretStr = Field(
        ..., min_length=8, max_length=2000, description="The provider's API key or token."
    )


class CredentialView(ApiModel):
    provider: str
    last4: str = Field(..., description="The only part of a stored credential ever shown.")
    updated_at: datetime


def _view(stored: StoredCredential) -> CredentialView:
    return CredentialView(
        provider=stored.provider, last4=stored.last4, updated_at=stored.updated_at
    )


@router.get("/credentials", response_model=list[CredentialView], response_model_by_alias=True)
async def list_credentials(request: Request) -> list[CredentialView]:
    """Provider credentials stored through the API (last four characters only)."""
    platform = request.app.state.platform
    stored = await platform.credentials.listed(current_principal(request).workspace)
    return [_view(item) for item in stored]


@router.put("/{provider}/credentials", response_model=CredentialView, response_model_by_alias=True)
async def set_credential(provider: str, body: CredentialSet, request: Request) -> CredentialView:
    """Store a provider key, encrypted; the provider goes live for new calls at once (keys
    of the default workspace drive this deployment's provider clients)."""
    platform = request.app.state.platform
    owner = current_principal(request).workspace
    stored = await platform.credentials.set(owner, provider, body.secret.get_secret_value())
    await platform.apply_stored_credentials()
    await audit.record_request(platform.engine, request.scope, "credential.set", provider)
    return _view(stored)


@router.delete("/{provider}/credentials", status_code=204)
async def remove_credential(provider: str, request: Request) -> Response:
    """Forget a stored provider key; the settings' key (or the sandbox) applies again."""
    platform = request.app.state.platform
    await platform.credentials.remove(current_principal(request).workspace, provider)
    await platform.apply_stored_credentials()
    await audit.record_request(platform.engine, request.scope, "credential.removed", provider)
    return Response(status_code=204)
