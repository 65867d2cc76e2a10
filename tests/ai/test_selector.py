"""Model selection: keys and tiers from settings, offline without a key, fallback on outage."""

from __future__ import annotations

import pytest
from pydantic_settings import BaseSettings, SettingsConfigDict

from salesauto.ai.definitions import builtin_agents
from salesauto.ai.offline import OfflineProvider
from salesauto.ai.selector import FallbackProvider, select_provider
from salesauto.ai.settings import AiSettings
from salesauto.ai.transcript import MemoryTranscript
from tests.ai.conftest import FakeLlmServer, demo_loop, demo_registry


class PlatformLikeSettings(AiSettings, BaseSettings):
    """How `Settings` mixes the AI fields in."""

    model_config = SettingsConfigDict(env_prefix="SALESAUTO_", populate_by_name=True)


def test_keys_are_read_under_the_vendor_names_and_with_the_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant")
    monkeypatch.setenv("SALESAUTO_GEMINI_API_KEY", "gm-key")
    monkeypatch.setenv("GEMINI_BASE_URL", "http://gateway.local")
    settings = PlatformLikeSettings()
    assert settings.anthropic_api_key is not None
    assert settings.anthropic_api_key.get_secret_value() == "sk-ant"
    assert settings.gemini_api_key is not None
    assert settings.gemini_api_key.get_secret_value() == "gm-key"
    assert settings.gemini_base_url == "http://gateway.local"


async def test_the_tier_picks_the_model_and_no_key_means_offline() -> None:
    agents = builtin_agents()
    assert isinstance(select_provider(AiSettings(), agents["lead_finder"]), OfflineProvider)
    keyed = AiSettings(anthropic_api_key="k", gemini_api_key="g")
    fast = select_provider(keyed, agents["reply_classifier"])
    strong = select_provider(
        keyed.model_copy(update={"llm_provider": "gemini"}), agents["lead_finder"]
    )
    assert (fast.name, fast.model) == ("anthropic", "claude-haiku-4-5")
    assert (strong.name, strong.model) == ("gemini", "gemini-2.5-pro")
    override = select_provider(keyed, agents["lead_finder"], model="claude-opus-4-6")
    assert override.model == "claude-opus-4-6"
    forced = select_provider(keyed, agents["lead_finder"], offline=True)
    assert isinstance(forced, OfflineProvider)
    for provider in (fast, strong, override):
        await provider.aclose()


async def test_an_unavailable_provider_falls_back_to_the_other(fake_llm: FakeLlmServer) -> None:
    settings = AiSettings(
        anthropic_api_key="k",
        anthropic_base_url=fake_llm.url,
        gemini_api_key="g",
        gemini_base_url=fake_llm.url,
        llm_max_retries=0,
    )
    provider = select_provider(settings, builtin_agents()["chat_assistant"])
    assert isinstance(provider, FallbackProvider)
    await fake_llm.script(anthropic=[{"error": 503}], gemini=[{"text": "From Gemini"}])
    registry, state = demo_registry()
    outcome = await demo_loop(
        provider, registry=registry, state=state, transcript=MemoryTranscript()
    ).run("Hi")
    await provider.aclose()
    assert (outcome.text, outcome.provider) == ("From Gemini", "gemini")
    assert [r["vendor"] for r in await fake_llm.received()] == ["anthropic", "gemini"]
