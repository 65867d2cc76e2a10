"""Campaign API bodies: templates (a validated sequence of steps), instances, enrollments,
events and stats."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from salesauto.kit.schemas import ApiModel
from salesauto.pipeline.outreach_leads import variable_name_problem

Channel = Literal["email", "linkedin", "call", "task"]
TemplateStatus = Literal["draft", "active", "archived"]
Action = Literal["start", "pause", "resume", "stop"]
# `{{name}}`: what lemlist substitutes; anything else between braces is a typo.
PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
STEPS_MAX = 20


def _placeholder_problem(text: str) -> str | None:
    for inner in PLACEHOLDER.findall(text):
        problem = variable_name_problem(inner.strip()) if inner.strip() != "email" else None
        if problem is not None:
            return f"{{{{{inner}}}}} is not a usable variable: {problem}"
    unpaired = PLACEHOLDER.sub("", text)
    if "{{" in unpaired or "}}" in unpaired:
        return "a {{ or }} has no partner; variables are written {{firstName}}"
    return None


class StepConditions(ApiModel):
    stop_on_reply: bool = Field(True, description="The lead leaves the sequence once it replies.")
    only_if_not_opened: bool = Field(
        False, description="Skip this step for leads who opened an earlier email."
    )


class TemplateStep(ApiModel):
    channel: Channel
    delay_days: int = Field(
        0, ge=0, le=365, description="Days after the previous step (the first: after enrolling)."
    )
    subject: str | None = Field(
        None, max_length=300, description="Email subject (required for email); a task's title."
    )
    body: str = Field(..., min_length=1, max_length=20_000, description="Text with {{variables}}.")
    conditions: StepConditions = Field(default_factory=StepConditions)

    @model_validator(mode="after")
    def _usable(self) -> TemplateStep:
        if self.channel == "email" and not (self.subject or "").strip():
            raise ValueError("an email step needs a subject")
        for text in (self.subject or "", self.body):
            problem = _placeholder_problem(text)
            if problem is not None:
                raise ValueError(problem)
        return self


class TemplateStructure(ApiModel):
    steps: list[TemplateStep] = Field(..., min_length=1, max_length=STEPS_MAX)


def _check_variables(variables: dict[str, str]) -> dict[str, str]:
    for name, value in variables.items():
        problem = variable_name_problem(name)
        if problem is not None:
            raise ValueError(problem)
        if len(value) > 2000:
            raise ValueError(f"default variable {name!r} is over 2000 characters")
    return variables


class TemplateCreate(ApiModel):
    name: str = Field(..., min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    provider: Literal["lemlist"] = "lemlist"
    status: TemplateStatus = "draft"
    structure: TemplateStructure
    default_variables: dict[str, str] = Field(default_factory=dict, max_length=50)

    @field_validator("default_variables")
    @classmethod
    def _usable_variables(cls, variables: dict[str, str]) -> dict[str, str]:
        return _check_variables(variables)


class TemplateUpdate(ApiModel):
    """Only the fields sent change."""

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    status: TemplateStatus | None = None
    structure: TemplateStructure | None = None
    default_variables: dict[str, str] | None = Field(None, max_length=50)

    @field_validator("default_variables")
    @classmethod
    def _usable_variables(cls, variables: dict[str, str] | None) -> dict[str, str] | None:
        return None if variables is None else _check_variables(variables)


class RowView(ApiModel):
    # Built from whole rows: columns the API does not show (owner_id…) are dropped.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class TemplateView(RowView):
    id: uuid.UUID
    name: str
    description: str | None
    provider: str
    status: str
    structure: dict[str, Any] = Field(
        description="`steps`; a template made for a campaign found at the provider only "
        "names that campaign (`provider_campaign_id`)."
    )
    default_variables: dict[str, Any]
    created_at: datetime
    updated_at: datetime | None


class TemplatePage(ApiModel):
    templates: list[TemplateView]
    next_cursor: str | None = None


class InstanceCreate(ApiModel):
    template_id: uuid.UUID
    name: str | None = Field(
        None, min_length=1, max_length=200, description="Default: the template's."
    )
    provider_campaign_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="Link this existing lemlist campaign (cam_…) instead of creating one.",
    )
    daily_cap: int | None = Field(
        None, ge=1, le=100_000, description="New enrollments per UTC day."
    )


class Counters(ApiModel):
    enrolled: int
    sent: int
    delivered: int
    opened: int
    clicked: int
    replied: int
    bounced: int
    unsubscribed: int


class InstanceView(ApiModel):
    id: uuid.UUID
    template_id: uuid.UUID
    name: str
    provider: str | None
    provider_campaign_id: str | None
    status: str
    daily_cap: int | None
    counters: Counters
    created_at: datetime
    started_at: datetime | None
    paused_at: datetime | None
    stopped_at: datetime | None


class InstancePage(ApiModel):
    instances: list[InstanceView]
    next_cursor: str | None = None


class EnrollmentView(RowView):
    id: uuid.UUID
    contact_email: str
    provider_lead_id: str | None
    status: str
    current_step: int
    variables: dict[str, Any]
    enrolled_at: datetime
    completed_at: datetime | None
    sent_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None
    replied_at: datetime | None
    bounced_at: datetime | None
    unsubscribed_at: datetime | None
    paused_until: datetime | None
    reply_text: str | None
    reply_class: str | None
    stop_reason: str | None


class EnrollmentPage(ApiModel):
    enrollments: list[EnrollmentView]
    next_cursor: str | None = None


class EventView(ApiModel):
    id: uuid.UUID
    enrollment_id: uuid.UUID
    contact_email: str
    type: str
    provider: str | None
    provider_event_id: str | None
    timestamp: datetime
    data: dict[str, Any]


class EventPage(ApiModel):
    events: list[EventView]
    next_cursor: str | None = None


class FunnelStage(ApiModel):
    stage: str
    count: int


class Rates(ApiModel):
    """Shares (0–1); a rate over zero is 0."""

    open_rate: float = Field(description="Opened leads over delivered leads.")
    click_rate: float = Field(description="Clicked leads over delivered leads.")
    reply_rate: float = Field(description="Replied leads over delivered leads (not over opens).")
    bounce_rate: float = Field(description="Bounced leads over sent leads.")
    unsubscribe_rate: float = Field(description="Unsubscribed leads over delivered leads.")


class CampaignStats(ApiModel):
    instance_id: uuid.UUID
    funnel: list[FunnelStage]
    bounced: int
    unsubscribed: int
    rates: Rates
