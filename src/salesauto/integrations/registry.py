"""`Integrations`: every provider client of this process, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from salesauto.config import Settings
from salesauto.integrations.http.client import ProviderHttp
from salesauto.integrations.http.errors import ProviderUnavailable
from salesauto.integrations.providers import (
    CREDENTIAL_ENV,
    PROVIDERS,
    ProviderTarget,
    build_http,
    resolve_target,
)

if TYPE_CHECKING:
    from salesauto.integrations.apollo import ApolloClient
    from salesauto.integrations.explorium import ExploriumClient
    from salesauto.integrations.hubspot import HubSpotClient
    from salesauto.integrations.lemlist import LemlistClient


class ProviderNotConfigured(ProviderUnavailable):
    """No credentials and no sandbox: the provider cannot be called at all."""


@dataclass
class Integrations:
    targets: dict[str, ProviderTarget]
    clients: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings, *, sandbox_base: str | None) -> Integrations:
        from salesauto.integrations.apollo import ApolloClient, apollo_profile
        from salesauto.integrations.explorium import ExploriumClient, explorium_profile
        from salesauto.integrations.hubspot import HubSpotClient, hubspot_profile
        from salesauto.integrations.lemlist import LemlistClient, lemlist_profile

        factories: dict[str, tuple[Any, Any]] = {
            "hubspot": (HubSpotClient, hubspot_profile),
            "lemlist": (LemlistClient, lemlist_profile),
            "explorium": (ExploriumClient, explorium_profile),
            "apollo": (ApolloClient, apollo_profile),
        }
        targets = {
            name: resolve_target(settings, name, sandbox_base=sandbox_base) for name in PROVIDERS
        }
        clients: dict[str, Any] = {}
        for name, target in targets.items():
            if target.mode == "off":
                continue
            client_class, profile = factories[name]
            clients[name] = client_class(build_http(profile(target, settings), settings))
        return cls(targets, clients)

    def _client(self, name: str) -> Any:
        client = self.clients.get(name)
        if client is None:
            raise ProviderNotConfigured(
                name,
                f"{name} is not configured: set {CREDENTIAL_ENV[name]} for the live API, "
                "or leave SALESAUTO_SANDBOX_ENABLED on to use the sandbox.",
            )
        return client

    @property
    def hubspot(self) -> HubSpotClient:
        client: HubSpotClient = self._client("hubspot")
        return client

    @property
    def lemlist(self) -> LemlistClient:
        client: LemlistClient = self._client("lemlist")
        return client

    @property
    def explorium(self) -> ExploriumClient:
        client: ExploriumClient = self._client("explorium")
        return client

    @property
    def apollo(self) -> ApolloClient:
        client: ApolloClient = self._client("apollo")
        return client

    def http_layers(self) -> list[ProviderHttp]:
        return [client.http for client in self.clients.values()]

    def sandboxed(self) -> list[str]:
        return [name for name, target in self.targets.items() if target.mode == "sandbox"]

    def snapshot(self) -> dict[str, dict[str, object]]:
        """Mode, base URL and breaker state per provider (for /health/ready)."""
        report: dict[str, dict[str, object]] = {}
        for name, target in self.targets.items():
            entry: dict[str, object] = {"mode": target.mode, "baseUrl": target.base_url}
            client = self.clients.get(name)
            if client is not None:
                entry["circuit"] = client.http.breaker.snapshot()
            report[name] = entry
        return report

    async def aclose(self) -> None:
        for http in self.http_layers():
            await http.aclose()
