"""Which providers run live and which against the sandbox, and their clients built once.

A provider with credentials in the settings is `live`; one without runs against its sandbox
emulator (mounted at `/sandbox/<vendor>` by `salesauto serve`, or a standalone `salesauto
sandbox` at `SALESAUTO_SANDBOX_URL`). Base URL and key are the only difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import SecretStr

from salesauto.config import Settings
from salesauto.integrations.http.breaker import CircuitBreaker
from salesauto.integrations.http.client import ProviderHttp, ProviderProfile, ResilienceSettings
from salesauto.integrations.http.limiter import LimiterStore, ProviderRateLimiter, limiter_storage

PROVIDERS = ("hubspot", "lemlist", "explorium", "apollo")
LIVE_BASE_URLS = {
    "hubspot": "https://api.hubapi.com",
    "lemlist": "https://api.lemlist.com/api",
    "explorium": "https://api.explorium.ai",
    "apollo": "https://api.apollo.io/api/v1",
}
CREDENTIAL_ENV = {
    "hubspot": "HUBSPOT_ACCESS_TOKEN",
    "lemlist": "LEMLIST_API_KEY",
    "explorium": "EXPLORIUM_API_KEY",
    "apollo": "APOLLO_API_KEY",
}
# The sandbox accepts any key; this one marks calls made by our own clients.
SANDBOX_KEY = "sandbox-key-salesauto"

Mode = Literal["live", "sandbox", "off"]


@dataclass(frozen=True)
class ProviderTarget:
    name: str
    mode: Mode
    base_url: str
    credential: str = field(repr=False)

    def describe(self) -> str:
        return f"{self.name}: {self.mode} ({self.base_url})"


def _credential(settings: Settings, name: str) -> SecretStr | None:
    value: SecretStr | None = getattr(settings, f"{name}_api_key", None) or getattr(
        settings, f"{name}_access_token", None
    )
    return value


def resolve_target(settings: Settings, name: str, *, sandbox_base: str | None) -> ProviderTarget:
    """Live when a credential is set; else the sandbox (standalone URL, or mounted in the API)."""
    credential = _credential(settings, name)
    override: str | None = getattr(settings, f"{name}_base_url")
    if credential is not None and credential.get_secret_value():
        return ProviderTarget(
            name, "live", override or LIVE_BASE_URLS[name], credential.get_secret_value()
        )
    base = settings.sandbox_url or sandbox_base
    if not settings.sandbox_enabled or (base is None and override is None):
        return ProviderTarget(name, "off", override or LIVE_BASE_URLS[name], "")
    url = override or f"{str(base).rstrip('/')}/{name}"
    return ProviderTarget(name, "sandbox", url, SANDBOX_KEY)


def local_sandbox_base(settings: Settings) -> str:
    """The sandbox mounted in this process's API, as a client on this machine reaches it."""
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    return f"http://{host}:{settings.port}/sandbox"


def settings_limiter_store(settings: Settings) -> LimiterStore:
    """Redis when `SALESAUTO_REDIS_URL` is set (cluster-wide limits), else process memory."""
    return limiter_storage(settings.redis_url.get_secret_value() if settings.redis_url else None)


def build_http(
    profile: ProviderProfile, settings: Settings, store: LimiterStore | None = None
) -> ProviderHttp:
    """The resilient HTTP layer for one provider, with settings' timeouts, retries and breaker.

    Pass a shared `store` to give several providers one Redis pool; without one the layer
    owns (and closes) its own.
    """
    limiter = ProviderRateLimiter(
        profile.name,
        profile.credential,
        profile.limits,
        store or settings_limiter_store(settings),
        owns_store=store is None,
    )
    breaker = CircuitBreaker(
        profile.name,
        failure_threshold=settings.provider_breaker_failures,
        reset_seconds=settings.provider_breaker_reset_seconds,
    )
    resilience = ResilienceSettings(
        timeout_seconds=settings.provider_timeout_seconds,
        max_attempts=settings.provider_max_attempts,
        max_retry_wait_seconds=settings.provider_max_retry_wait_seconds,
    )
    return ProviderHttp(profile, limiter, breaker, resilience)
