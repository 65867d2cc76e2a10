"""Model selection: an agent's tier picks the model of the provider the settings choose; with
no key the offline planner runs, and with both keys an outage of one falls back to the other."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from salesauto.ai.definitions import AgentDefinition, Tier
from salesauto.ai.errors import LlmUnavailable
from salesauto.ai.messages import LlmProvider, ModelTurn, OnText, TurnRequest
from salesauto.ai.offline import OfflineProvider
from salesauto.ai.settings import AiSettings

if TYPE_CHECKING:
    # The SDKs take a second to import: only a process that really calls a model pays it.
    from salesauto.ai.anthropic_provider import AnthropicProvider
    from salesauto.ai.gemini_provider import GeminiProvider

Vendor = Literal["anthropic", "gemini"]


def ai_settings(settings: BaseModel) -> AiSettings:
    """The AI fields of the platform's settings (defaults until `Settings` includes them)."""
    return settings if isinstance(settings, AiSettings) else AiSettings()


def model_for(settings: AiSettings, vendor: Vendor, tier: Tier) -> str:
    models = {
        ("anthropic", "fast"): settings.anthropic_fast_model,
        ("anthropic", "strong"): settings.anthropic_strong_model,
        ("gemini", "fast"): settings.gemini_fast_model,
        ("gemini", "strong"): settings.gemini_strong_model,
    }
    return models[(vendor, tier)]


def configured_vendors(settings: AiSettings) -> list[Vendor]:
    """Vendors with a key, the settings' choice first."""
    keyed: list[Vendor] = []
    if settings.anthropic_api_key is not None:
        keyed.append("anthropic")
    if settings.gemini_api_key is not None:
        keyed.append("gemini")
    if settings.llm_provider == "offline":
        return []
    if settings.llm_provider in keyed:
        keyed.sort(key=lambda vendor: vendor != settings.llm_provider)
    return keyed


def vendor_provider(
    settings: AiSettings, vendor: Vendor, model: str
) -> AnthropicProvider | GeminiProvider:
    if vendor == "anthropic":
        from salesauto.ai.anthropic_provider import AnthropicProvider

        assert settings.anthropic_api_key is not None
        return AnthropicProvider(
            api_key=settings.anthropic_api_key.get_secret_value(),
            model=model,
            base_url=settings.anthropic_base_url,
            timeout_seconds=settings.llm_timeout_seconds,
            max_retries=settings.llm_max_retries,
        )
    from salesauto.ai.gemini_provider import GeminiProvider

    assert settings.gemini_api_key is not None
    return GeminiProvider(
        api_key=settings.gemini_api_key.get_secret_value(),
        model=model,
        base_url=settings.gemini_base_url,
        timeout_seconds=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
        retry_initial_seconds=settings.llm_retry_initial_seconds,
    )


def select_provider(
    settings: AiSettings,
    agent: AgentDefinition,
    *,
    input: dict[str, Any] | None = None,
    model: str | None = None,
    offline: bool = False,
) -> LlmProvider:
    """The provider for one run of `agent`; `model` overrides the tier's model of the first
    vendor, `offline` forces the planner."""
    vendors = [] if offline else configured_vendors(settings)
    if not vendors:
        return OfflineProvider(agent.name, input)
    chosen = [
        vendor_provider(
            settings, v, model if model and i == 0 else model_for(settings, v, agent.model_tier)
        )
        for i, v in enumerate(vendors)
    ]
    if len(chosen) == 1:
        return chosen[0]
    return FallbackProvider(chosen[0], chosen[1])


class FallbackProvider:
    """Uses `primary` until it is unavailable after its retries, then `secondary` for the rest
    of the run (the neutral history is rebuilt in the other vendor's shapes)."""

    def __init__(self, primary: LlmProvider, secondary: LlmProvider) -> None:
        self.active = primary
        self.standby: LlmProvider | None = secondary
        self._all = (primary, secondary)

    @property
    def name(self) -> str:
        return self.active.name

    @property
    def model(self) -> str:
        return self.active.model

    async def generate(self, request: TurnRequest, on_text: OnText | None = None) -> ModelTurn:
        sent = False

        async def passed_on(delta: str) -> None:
            nonlocal sent
            sent = True
            if on_text is not None:
                await on_text(delta)

        try:
            return await self.active.generate(request, passed_on if on_text else None)
        except LlmUnavailable:
            # Text already streamed cannot be taken back: the turn fails rather than start
            # again with the other vendor and say it twice.
            if self.standby is None or sent:
                raise
            self.active, self.standby = self.standby, None
            return await self.active.generate(request, on_text)

    async def aclose(self) -> None:
        for provider in self._all:
            await provider.aclose()
