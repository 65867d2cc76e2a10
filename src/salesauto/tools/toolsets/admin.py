"""admin: who is calling, the state of the provider connections, and the settings."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr

from salesauto.integrations.checks import ProviderCheck, check_provider, check_providers
from salesauto.tools.registry import tool
from salesauto.tools.spec import READ, ToolContext, ToolFlags, ToolInput, ToolOutput

MASK = "********"
# Settings whose value is a credential even when not typed SecretStr (`*_api_key`, …).
SECRET_SUFFIXES = ("key", "secret", "token", "password")


class NoArguments(ToolInput):
    pass


class Whoami(ToolOutput):
    workspace: str
    key_id: str
    scopes: list[str]
    via: str = Field(description="key, fallback, session or ticket")
    providers: dict[str, dict[str, Any]] = Field(
        description="Per provider: live or sandbox, base URL, circuit breaker state."
    )
    sandboxed: list[str] = Field(description="Providers answered by the built-in emulators.")


@tool(toolset="admin", scope=None, flags=READ)
async def admin_whoami(ctx: ToolContext, args: NoArguments) -> Whoami:
    """Who this session acts as (workspace, key, scopes) and the state of each provider
    connection (HubSpot, lemlist, Explorium, Apollo: live or sandbox, circuit breaker).

    Call it first when unsure what you may do, or when a provider call failed. Free."""
    principal = ctx.principal
    integrations = ctx.platform.integrations
    return Whoami(
        workspace=principal.workspace,
        key_id=principal.key_id,
        scopes=sorted(principal.scopes),
        via=principal.via,
        providers={name: dict(entry) for name, entry in integrations.snapshot().items()},
        sandboxed=integrations.sandboxed(),
    )


class ConnectionCheck(ToolInput):
    provider: Literal["hubspot", "lemlist", "explorium", "apollo"] | None = Field(
        None, description="One provider; leave out to check them all."
    )


class ConnectionReport(ToolOutput):
    checks: list[ProviderCheck]


@tool(
    toolset="admin",
    scope="integrations:read",
    flags=ToolFlags(read_only=True, idempotent=True, open_world=True),
)
async def admin_test_connection(ctx: ToolContext, args: ConnectionCheck) -> ConnectionReport:
    """Make one real, read-only call to a provider (or all) and report whether its
    credential works, the latency, and otherwise what failed and how to fix it. Call it when
    a provider tool or job fails. Free (no credits)."""
    integrations = ctx.platform.integrations
    if args.provider is None:
        return ConnectionReport(checks=await check_providers(integrations))
    return ConnectionReport(checks=[await check_provider(integrations, args.provider)])


class SettingsView(ToolOutput):
    settings: dict[str, Any] = Field(description="Every setting; credentials masked.")


def _masked_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:{MASK}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def masked_settings(values: dict[str, Any]) -> dict[str, Any]:
    """Secrets shown only as set (`********`) or unset (null); passwords cut out of URLs."""
    shown: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, SecretStr) or name.rsplit("_", 1)[-1] in SECRET_SUFFIXES:
            shown[name] = None if value is None else MASK
        elif isinstance(value, str) and "://" in value:
            shown[name] = _masked_url(value)
        else:
            shown[name] = value
    return shown


@tool(toolset="admin", scope="admin", flags=READ)
async def admin_get_settings(ctx: ToolContext, args: NoArguments) -> SettingsView:
    """The platform's settings: auto-enrich/sync/outreach defaults, daily caps, enrichment
    order and credit budget, job and webhook limits. Credentials are masked (set or not).

    Use it to explain why a step did or did not run. Needs the admin scope. Free."""
    settings = ctx.platform.settings
    raw = {name: getattr(settings, name) for name in type(settings).model_fields}
    dumped = settings.model_dump(mode="json")
    values = {name: raw[name] if isinstance(raw[name], SecretStr) else dumped[name] for name in raw}
    return SettingsView(settings=masked_settings(values))
