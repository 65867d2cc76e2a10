"""What a model turn cost, from its usage and the settings' price table."""

from __future__ import annotations

from collections.abc import Mapping

from salesauto.ai.messages import Usage
from salesauto.ai.settings import ModelPrice

PER_TOKEN = 1_000_000


def price_of(prices: Mapping[str, ModelPrice], model: str) -> ModelPrice | None:
    """The price of `model`, or of the longest listed name it starts with (dated snapshots
    such as `claude-haiku-4-5-20251001` cost what their alias costs)."""
    if model in prices:
        return prices[model]
    matches = [name for name in prices if model.startswith(name)]
    return prices[max(matches, key=len)] if matches else None


def turn_cost(prices: Mapping[str, ModelPrice], model: str, usage: Usage) -> float:
    price = price_of(prices, model)
    if price is None:
        return 0.0
    dollars = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_creation_tokens * price.cache_write
        + usage.cache_read_tokens * price.cache_read
    ) / PER_TOKEN
    return round(dollars, 8)
