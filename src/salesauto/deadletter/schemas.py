"""Dead-letter API bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from salesauto.deadletter.repository import DeadLetterFilter
from salesauto.kit.schemas import ApiModel

Provider = Literal["lemlist", "hubspot"]


class DeadLetterView(ApiModel):
    id: str
    provider: str | None
    provider_event_id: str | None
    event_type: str
    email: str | None
    status: str
    retry_count: int = Field(description="Tries made before it landed here, and replays since.")
    last_error: str | None
    created_at: datetime
    replayed_at: datetime | None
    discarded_at: datetime | None
    receipt_id: str | None


class DeadLetterDetail(DeadLetterView):
    payload: dict[str, Any] = Field(description="The provider's event as it was received.")


class DeadLetterPage(ApiModel):
    dead_letters: list[DeadLetterView]
    next_cursor: str | None = None


class DeadLetterSelection(ApiModel):
    """Which pending dead letters to act on: a filter, or `all`."""

    all: bool = Field(False, description="Every pending dead letter of the workspace.")
    provider: Provider | None = None
    event_type: str | None = Field(None, max_length=50)
    email: str | None = Field(None, max_length=320)
    limit: int = Field(500, ge=1, le=5000, description="At most this many per call.")

    @model_validator(mode="after")
    def _something_selected(self) -> DeadLetterSelection:
        if not self.all and not (self.provider or self.event_type or self.email):
            raise ValueError("give a filter (provider, eventType, email) or all: true")
        return self

    def filter(self) -> DeadLetterFilter:
        return DeadLetterFilter(
            status="pending", provider=self.provider, event_type=self.event_type, email=self.email
        )


class ReplayResult(ApiModel):
    id: str
    outcome: Literal["replayed", "still_orphaned", "failed", "not_pending"]
    error: str | None = None


class ReplaySummary(ApiModel):
    success: bool = True
    replayed: int
    still_orphaned: int
    failed: int
    remaining: int = Field(description="Pending dead letters still matching the selection.")
    results: list[ReplayResult]


class DiscardSummary(ApiModel):
    success: bool = True
    discarded: int
