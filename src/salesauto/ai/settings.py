"""The AI half of the settings: provider keys and endpoints, models per tier, prices, limits.

`Settings` inherits these fields, so they are read like every other `SALESAUTO_*` variable;
the keys and base URLs also under the vendors' usual names (`ANTHROPIC_API_KEY`…).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr

ProviderChoice = Literal["auto", "anthropic", "gemini", "offline"]
WorkflowRoute = Literal["auto", "agent", "direct"]


def _env(name: str) -> AliasChoices:
    """Accept `SALESAUTO_<NAME>` and the vendor's usual `<NAME>`, plus the field name."""
    return AliasChoices(f"SALESAUTO_{name}", name, name.lower())


class ModelPrice(BaseModel):
    """US dollars per million tokens."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_write: float = Field(0.0, ge=0, description="Tokens written to the prompt cache.")
    cache_read: float = Field(0.0, ge=0, description="Tokens read from the prompt cache.")


def default_prices() -> dict[str, ModelPrice]:
    # List prices; cache writes are 1.25× input (5-minute TTL), reads 0.1× input.
    return {
        "claude-haiku-4-5": ModelPrice(input=1.0, output=5.0, cache_write=1.25, cache_read=0.1),
        "claude-sonnet-4-6": ModelPrice(input=3.0, output=15.0, cache_write=3.75, cache_read=0.3),
        "claude-opus-4-6": ModelPrice(input=5.0, output=25.0, cache_write=6.25, cache_read=0.5),
        "gemini-2.5-flash": ModelPrice(input=0.3, output=2.5, cache_read=0.03),
        "gemini-2.5-pro": ModelPrice(input=1.25, output=10.0, cache_read=0.125),
    }


class AiSettings(BaseModel):
    anthropic_api_key: SecretStr | None = Field(
        None,
        validation_alias=_env("ANTHROPIC_API_KEY"),
        description="Anthropic API key; with none (and no Gemini key) agents run offline.",
    )
    anthropic_base_url: str | None = Field(
        None,
        validation_alias=_env("ANTHROPIC_BASE_URL"),
        description="Anthropic endpoint for a gateway or proxy; empty: the public API.",
    )
    gemini_api_key: SecretStr | None = Field(
        None, validation_alias=_env("GEMINI_API_KEY"), description="Google Gemini API key."
    )
    gemini_base_url: str | None = Field(
        None,
        validation_alias=_env("GEMINI_BASE_URL"),
        description="Gemini endpoint for a gateway or proxy; empty: the public API.",
    )
    llm_provider: ProviderChoice = Field(
        "auto",
        description="Which provider agents use: `auto` (Anthropic if its key is set, else "
        "Gemini, else offline), `anthropic`, `gemini` or `offline`.",
    )
    ai_workflows: WorkflowRoute = Field(
        "auto",
        description="How `/api/discover`, `/api/enrich`, `/api/sync/hubspot` and `/api/outreach` "
        "run: `auto` (through their agent when a model key is set, else the direct pipeline "
        "job), `agent` (always the agent; the offline planner without a key) or `direct`.",
    )
    anthropic_fast_model: str = Field(
        "claude-haiku-4-5", description="Anthropic model for classification and simple steps."
    )
    anthropic_strong_model: str = Field(
        "claude-sonnet-4-6", description="Anthropic model for discovery and writing."
    )
    gemini_fast_model: str = Field(
        "gemini-2.5-flash", description="Gemini model for classification and simple steps."
    )
    gemini_strong_model: str = Field(
        "gemini-2.5-pro", description="Gemini model for discovery and writing."
    )
    llm_prices: dict[str, ModelPrice] = Field(
        default_factory=default_prices,
        description="Price per million tokens by model name (input, output, cache_write, "
        "cache_read), for the cost caps; a model missing here counts as free, so add yours.",
    )
    llm_timeout_seconds: float = Field(
        120.0, gt=0, le=900, description="Longest wait for one model answer."
    )
    llm_max_retries: int = Field(
        2, ge=0, le=10, description="Retries of a model call on 429, 529 and 5xx answers."
    )
    llm_retry_initial_seconds: float = Field(
        1.0, gt=0, le=60, description="First wait before a retried Gemini call (then doubled)."
    )
    llm_max_output_tokens: int = Field(
        4096, ge=64, le=64_000, description="Longest answer per model turn."
    )
    agent_tool_timeout_seconds: float = Field(
        60.0,
        gt=0,
        le=900,
        description="Longest a tool call may take before the model hears it timed out.",
    )
