"""Which providers are live, sandboxed or off, from the names users already have."""

from __future__ import annotations

import pytest

from salesauto.config import Settings
from salesauto.integrations.providers import SANDBOX_KEY, resolve_target
from salesauto.integrations.registry import Integrations, ProviderNotConfigured

VENDOR_ENV = ("HUBSPOT_ACCESS_TOKEN", "LEMLIST_API_KEY", "EXPLORIUM_API_KEY", "APOLLO_API_KEY")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VENDOR_ENV:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"SALESAUTO_{name}", raising=False)


def test_vendor_and_prefixed_names_make_a_provider_live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-abc")
    monkeypatch.setenv("SALESAUTO_LEMLIST_API_KEY", "lem-key")
    monkeypatch.setenv("APOLLO_BASE_URL", "https://apollo-proxy.internal/api/v1")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    hubspot = resolve_target(settings, "hubspot", sandbox_base="http://127.0.0.1:3000/sandbox")
    lemlist = resolve_target(settings, "lemlist", sandbox_base="http://127.0.0.1:3000/sandbox")
    explorium = resolve_target(settings, "explorium", sandbox_base="http://127.0.0.1:3000/sandbox")
    apollo = resolve_target(settings, "apollo", sandbox_base="http://127.0.0.1:3000/sandbox")

    assert (hubspot.mode, hubspot.base_url, hubspot.credential) == (
        "live",
        "https://api.hubapi.com",
        "pat-na1-abc",
    )
    assert (lemlist.mode, lemlist.base_url) == ("live", "https://api.lemlist.com/api")
    assert (explorium.mode, explorium.base_url, explorium.credential) == (
        "sandbox",
        "http://127.0.0.1:3000/sandbox/explorium",
        SANDBOX_KEY,
    )
    # A base URL without a key is a sandbox somewhere else, never the live API keyless.
    assert (apollo.mode, apollo.base_url) == ("sandbox", "https://apollo-proxy.internal/api/v1")
    assert "pat-na1-abc" not in repr(settings)


async def test_without_keys_or_sandbox_a_provider_is_off_with_a_clear_error() -> None:
    settings = Settings(_env_file=None, sandbox_enabled=False)  # type: ignore[call-arg]
    integrations = Integrations.build(settings, sandbox_base="http://127.0.0.1:3000/sandbox")
    try:
        assert {t.mode for t in integrations.targets.values()} == {"off"}
        with pytest.raises(ProviderNotConfigured, match="set HUBSPOT_ACCESS_TOKEN"):
            _ = integrations.hubspot
    finally:
        await integrations.aclose()
