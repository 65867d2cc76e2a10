"""Suppression API bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from salesauto.kit.schemas import ApiModel

SuppressionKind = Literal["email", "domain"]


class SuppressionCreate(ApiModel):
    value: str = Field(
        ..., min_length=3, max_length=320, description="An email, or a domain (`acme.com`)."
    )
    reason: str = Field("manual", min_length=1, max_length=200, description="Why, for the log.")


class SuppressionBatch(ApiModel):
    entries: list[SuppressionCreate] = Field(..., min_length=1, max_length=10_000)


class SuppressionView(ApiModel):
    # Built from whole rows: columns the API does not show (owner_id) are dropped.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    id: int
    kind: SuppressionKind
    value: str
    reason: str
    source: str
    created_at: datetime


class SuppressionPage(ApiModel):
    suppressions: list[SuppressionView]
    next_cursor: str | None = None


class SuppressionAdded(ApiModel):
    success: bool = True
    added: list[SuppressionView]
    already_listed: int
    rejected: list[dict[str, str]] = Field(
        default_factory=list, description="Entries refused, each with `value` and `reason`."
    )
