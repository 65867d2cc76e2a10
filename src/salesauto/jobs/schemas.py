"""The jobs API's request and response bodies (camelCase on the wire, as the seed's API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from salesauto.kit.schemas import ApiModel

PRIORITY_NAMES = {"low": -10, "normal": 0, "high": 10, "critical": 20}
JobStatus = Literal["queued", "processing", "completed", "failed", "cancelled"]


class JobSubmit(ApiModel):
    type: str = Field(..., min_length=1, max_length=100, description="A registered job type.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="The type's parameters.")
    priority: int | Literal["low", "normal", "high", "critical"] = Field(
        0, description="Higher runs first: -100…100, or low/normal/high/critical."
    )
    idempotency_key: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        description="Retrying a request with the same key returns the same job.",
    )
    run_at: datetime | None = Field(None, description="Run no earlier than this time (UTC).")
    max_attempts: int | None = Field(None, ge=1, le=100, description="Attempts before failing.")

    @field_validator("priority")
    @classmethod
    def _priority_range(cls, value: int | str) -> int | str:
        if isinstance(value, int) and not -100 <= value <= 100:
            raise ValueError("priority must be between -100 and 100")
        return value

    @field_validator("run_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("runAt needs a timezone, e.g. 2026-01-01T09:00:00Z")
        return value

    @property
    def priority_value(self) -> int:
        return PRIORITY_NAMES[self.priority] if isinstance(self.priority, str) else self.priority


class JobAccepted(ApiModel):
    success: bool = True
    job_id: str
    status: str = Field(..., description="Where to poll the job: /api/jobs/{id}.")
    created: bool = Field(True, description="False when an idempotency key matched a job.")


class JobView(ApiModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, from_attributes=True)

    id: str
    type: str
    status: JobStatus
    priority: int
    progress: float
    progress_message: str | None
    parameters: dict[str, Any]
    result: Any | None
    error: str | None
    errors: list[dict[str, Any]]
    attempts: int
    max_attempts: int
    run_at: datetime
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    cancel_requested: bool


class JobPage(ApiModel):
    items: list[JobView]
    next_cursor: str | None


class JobResultView(ApiModel):
    id: str
    item_key: str | None
    status: str
    data: Any | None
    error: str | None
    created_at: datetime


class JobResultPage(ApiModel):
    items: list[JobResultView]
    next_cursor: str | None


class JobTypeView(ApiModel):
    name: str
    description: str
    parameters_schema: dict[str, Any]
