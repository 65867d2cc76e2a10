"""keys, continued: storing a provider's API key (encrypted), never showing it back."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, SecretStr

from salesauto.security import audit
from salesauto.tools.registry import tool
from salesauto.tools.spec import OVERWRITE, ToolContext, ToolInput, ToolOutput


class CredentialInput(ToolInput):
    provider: Literal["hubspot", "lemlist", "explorium", "apollo"]
    secret: SecretStr = Field(
        ..., min_length=8, max_length=2000, description="The provider's API key or token."
    )


class CredentialStored(ToolOutput):
    provider: str
    last4: str = Field(description="The only part of a stored credential ever shown.")
    updated_at: datetime
    mode: str = Field(description="The provider's mode now: live when the key is in use.")


@tool(toolset="keys", scope="admin", flags=OVERWRITE)
async def keys_set_provider_credential(ctx: ToolContext, args: CredentialInput) -> CredentialStored:
    """Store or rotate a provider's API key (HubSpot, lemlist, Explorium, Apollo),
    encrypted; the provider goes live for new calls at once (keys of the default workspace
    drive this deployment's clients). The key is never shown back, only its last four
    characters; the change is recorded in the audit log. Check it with
    admin_test_connection afterwards. Free."""
    platform = ctx.platform
    # As `PUT /api/integrations/{provider}/credentials`.
    stored = await platform.credentials.set(
        ctx.workspace, args.provider, args.secret.get_secret_value()
    )
    await platform.apply_stored_credentials()
    await audit.record(
        platform.engine,
        ctx.workspace,
        ctx.principal.key_id,
        "credential.set",
        args.provider,
        {"via": "tool"},
    )
    target = platform.integrations.targets.get(args.provider)
    return CredentialStored(
        provider=stored.provider,
        last4=stored.last4,
        updated_at=stored.updated_at,
        mode=target.mode if target is not None else "off",
    )
