"""Request and response bodies of the pipeline routes (camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from salesauto.config import EnrichmentSource
from salesauto.discovery.profile import DiscoverRequest
from salesauto.imports.cells import normalise_domain
from salesauto.kit.schemas import ApiModel
from salesauto.models.contacts import CONTACT_STAGES
from salesauto.pipeline.outreach_leads import (
    REQUEST_VALUE_MAX,
    REQUEST_VARIABLES_MAX,
    variable_name_problem,
)

Via = Literal["agent", "direct"]


def _via() -> Any:
    return Field(
        None,
        description="Run through the step's AI agent (`agent`; the offline planner when no model "
        "key is set) or as the pipeline job itself (`direct`); default: the setting "
        "`SALESAUTO_AI_WORKFLOWS` (`auto`: the agent when a model key is set)",
    )


class ContactSelection(ApiModel):
    """Which contacts a step works on: listed emails, or every contact matching a filter."""

    emails: list[str] | None = Field(
        None, max_length=100_000, description="Contacts by email; when set, filters are ignored"
    )
    stage: list[Literal[CONTACT_STAGES]] | None = Field(  # type: ignore[valid-type]
        None, description='Only contacts at these stages, e.g. ["imported"]'
    )
    source: str | None = Field(None, max_length=50, description="e.g. `csv`, `discovery`")
    company_domain: str | None = Field(None, max_length=253)
    min_score: int | None = Field(None, ge=0, le=100, description="ICP score at least this")
    updated_since: datetime | None = Field(
        None, description="Only contacts created or changed since then (e.g. by an import)"
    )
    limit: int = Field(10_000, ge=1, le=100_000, description="At most this many contacts")

    @field_validator("company_domain")
    @classmethod
    def _bare_domain(cls, value: str | None) -> str | None:
        # Stored domains are bare ("acme.com"): a pasted website must match them too.
        if value is None:
            return None
        domain = normalise_domain(value)
        if domain is None:
            raise ValueError(f"{value!r} is not a domain (e.g. acme.com)")
        return domain

    @model_validator(mode="after")
    def _something_chosen(self) -> ContactSelection:
        if self.emails is None and not any(
            (
                self.stage,
                self.source,
                self.company_domain,
                self.min_score is not None,
                self.updated_since,
            )
        ):
            raise ValueError(
                "say which contacts: `emails`, or a filter (`stage`, `source`, "
                "`companyDomain`, `minScore`)"
            )
        return self


class ChainOverrides(ApiModel):
    """Per-request overrides of the settings' auto-enrich/auto-sync/auto-outreach."""

    auto_sync: bool | None = Field(None, description="Sync to HubSpot once enriched")
    auto_outreach: bool | None = Field(None, description="Enroll in `campaignId` once synced")
    campaign_id: str | None = Field(None, max_length=100, description="lemlist campaign cam_…")


class EnrichRequest(ChainOverrides):
    contacts: ContactSelection
    providers: list[EnrichmentSource] | None = Field(
        None, min_length=1, description="The waterfall's order; default the settings'"
    )
    credit_budget: int | None = Field(None, ge=0, description="Lookups each job may buy")
    refresh: bool = Field(False, description="Ask the providers again even when cached")


class SyncRequest(ChainOverrides):
    contacts: ContactSelection
    overwrite: Literal["never", "always"] | None = Field(
        None, description="Replace non-empty HubSpot values? Default the settings' (`never`)"
    )
    resync: bool = Field(
        False, description="Compare with HubSpot even for contacts unchanged since their sync"
    )


class OutreachRequest(ApiModel):
    contacts: ContactSelection
    campaign_id: str = Field(..., min_length=1, max_length=100, description="lemlist cam_…")
    variables: dict[str, str] = Field(
        default_factory=dict,
        max_length=REQUEST_VARIABLES_MAX,
        description="Personalisation variables added to every lead",
    )
    daily_cap: int | None = Field(
        None, ge=1, le=100_000, description="New enrollments per day in this campaign"
    )

    @field_validator("variables")
    @classmethod
    def _usable_names(cls, variables: dict[str, str]) -> dict[str, str]:
        problems = [p for p in map(variable_name_problem, variables) if p]
        problems += [
            f"variable {name!r} is over {REQUEST_VALUE_MAX} characters"
            for name, value in variables.items()
            if len(value) > REQUEST_VALUE_MAX
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return variables


class StepAccepted(ApiModel):
    success: bool = True
    job_id: str = Field(description="The first job; large selections are split")
    job_ids: list[str]
    status: str = Field(description="Where to poll the first job")
    contacts: int = Field(description="How many contacts were selected")
    via: Via = Field(
        "direct", description="`agent`: the job is the agent's run, its result the step's"
    )


# The routes' bodies: the tools' arguments (the same models) plus how to run them.
class DiscoverBody(DiscoverRequest):
    via: Via | None = _via()


class EnrichBody(EnrichRequest):
    via: Via | None = _via()


class SyncBody(SyncRequest):
    via: Via | None = _via()


class OutreachBody(OutreachRequest):
    via: Via | None = _via()


class PipelineRequest(ApiModel):
    """The whole chain for given contacts or for the leads a discovery finds."""

    contacts: ContactSelection | None = Field(None, description="Run the chain for these")
    discover: DiscoverRequest | None = Field(
        None, description="Or discover leads first (`query`, `icpProfile`, `count`)"
    )
    enrich: bool = Field(True, description="Run the enrichment waterfall")
    sync: bool = Field(True, description="Write to HubSpot")
    outreach: bool | None = Field(
        None, description="Enroll in `campaignId`; default: yes when a campaign is given"
    )
    campaign_id: str | None = Field(None, max_length=100, description="lemlist campaign cam_…")

    @model_validator(mode="after")
    def _one_start(self) -> PipelineRequest:
        if self.contacts is not None and self.discover is not None:
            raise ValueError("give either `contacts` or `discover`, not both")
        if self.contacts is None and self.discover is None:
            raise ValueError(
                "give `contacts` (stored contacts) or `discover` (a profile to find leads by)"
            )
        return self

    @property
    def outreach_wanted(self) -> bool:
        return self.outreach if self.outreach is not None else bool(self.campaign_id)
