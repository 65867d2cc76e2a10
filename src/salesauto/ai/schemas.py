"""API shapes of the agent's transcript."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from salesauto.kit.schemas import ApiModel


class TranscriptEntry(ApiModel):
    seq: int
    role: Literal["assistant", "tool"]
    provider: str
    model: str
    content: dict[str, Any] = Field(
        description="assistant: text, toolCalls, stopReason; tool: arguments and result."
    )
    tool_name: str | None = None
    tool_call_id: str | None = None
    is_error: bool | None = None
    duration_ms: int | None = None
    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int
    cost_usd: float
    created_at: datetime


class TranscriptTotals(ApiModel):
    model_turns: int
    tool_calls: int
    tool_errors: int
    input_tokens: int
    output_tokens: int
    cache_creation_tokens: int
    cache_read_tokens: int
    cost_usd: float


class Transcript(ApiModel):
    job_id: str
    entries: list[TranscriptEntry]
    totals: TranscriptTotals
