"""Pydantic models of lemlist's request and response bodies (camelCase on the wire).

Response models keep unknown fields (`extra="allow"`): lemlist adds fields without notice and
echoes a lead's custom variables at the top level. Input models forbid extras.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class LemlistRecord(BaseModel):
    """A body lemlist sent us; unknown fields are kept in `model_extra`."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")


class LemlistInput(BaseModel):
    """A body we send to lemlist."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    def to_body(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


# --- campaigns -----------------------------------------------------------------------------


class Campaign(LemlistRecord):
    id: str = Field(alias="_id")
    name: str
    labels: list[str] = Field(default_factory=list)
    created_at: datetime | None = Field(None, alias="createdAt")
    created_by: str | None = Field(None, alias="createdBy")
    status: str | None = None
    has_error: bool = Field(False, alias="hasError")
    errors: list[str] = Field(default_factory=list)


class CampaignCreator(LemlistRecord):
    user_id: str | None = Field(None, alias="userId")
    user_email: str | None = Field(None, alias="userEmail")


class CampaignSender(LemlistRecord):
    id: str | None = None
    email: str | None = None
    send_user_mailbox_id: str | None = Field(None, alias="sendUserMailboxId")


class CampaignDetail(Campaign):
    creator: CampaignCreator | None = None
    senders: list[CampaignSender] = Field(default_factory=list)


class CampaignState(LemlistRecord):
    """Answer of start/pause: `state` is `running` or `paused`."""

    id: str = Field(alias="_id")
    state: str


class CampaignCreate(LemlistInput):
    """`POST /campaigns`: a new, empty campaign (its steps are added to its sequence)."""

    name: str
    timezone: str | None = None
    auto_review: bool | None = Field(None, alias="autoReview")


class CreatedCampaign(LemlistRecord):
    id: str = Field(alias="_id")
    name: str
    sequence_id: str = Field(alias="sequenceId")
    state: str | None = None


class SequenceStepCreate(LemlistInput):
    """`POST /sequences/{sequenceId}/steps`: `delay` is days after the previous step."""

    type: str  # email | linkedinSend | phone | manual | …
    delay: int | None = None
    subject: str | None = None
    message: str | None = None
    title: str | None = None


class SequenceStep(LemlistRecord):
    id: str = Field(alias="_id")
    type: str
    delay: int | None = None


class StepStats(LemlistRecord):
    index: int
    sequence_id: str | None = Field(None, alias="sequenceId")
    sequence_step: int | None = Field(None, alias="sequenceStep")
    task_type: str | None = Field(None, alias="taskType")
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    replied: int = 0
    not_delivered: int = Field(0, alias="notDelivered")
    bounced: int = 0
    unsubscribed: int = 0


class CampaignStats(LemlistRecord):
    """`GET /v2/campaigns/{id}/stats` over a date range."""

    nb_leads: int = Field(0, alias="nbLeads")
    nb_leads_launched: int = Field(0, alias="nbLeadsLaunched")
    nb_leads_reached: int = Field(0, alias="nbLeadsReached")
    nb_leads_opened: int = Field(0, alias="nbLeadsOpened")
    nb_leads_interacted: int = Field(0, alias="nbLeadsInteracted")
    nb_leads_answered: int = Field(0, alias="nbLeadsAnswered")
    nb_leads_interested: int = Field(0, alias="nbLeadsInterested")
    nb_leads_not_interested: int = Field(0, alias="nbLeadsNotInterested")
    nb_leads_unsubscribed: int = Field(0, alias="nbLeadsUnsubscribed")
    nb_leads_interrupted: int = Field(0, alias="nbLeadsInterrupted")
    messages_sent: int = Field(0, alias="messagesSent")
    messages_not_sent: int = Field(0, alias="messagesNotSent")
    messages_bounced: int = Field(0, alias="messagesBounced")
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    replied: int = 0
    steps: list[StepStats] = Field(default_factory=list)


class CampaignPage(LemlistRecord):
    """The `{campaigns, pagination}` envelope some accounts get instead of a bare array."""

    campaigns: list[Campaign]
    pagination: dict[str, Any] = Field(default_factory=dict)


# --- leads ---------------------------------------------------------------------------------


class Lead(LemlistRecord):
    """A lead in one campaign, flat (add / get by `?email=` / update / delete answers)."""

    id: str = Field(alias="_id")
    email: str | None = None
    first_name: str | None = Field(None, alias="firstName")
    last_name: str | None = Field(None, alias="lastName")
    company_name: str | None = Field(None, alias="companyName")
    company_domain: str | None = Field(None, alias="companyDomain")
    job_title: str | None = Field(None, alias="jobTitle")
    campaign_id: str | None = Field(None, alias="campaignId")
    campaign_name: str | None = Field(None, alias="campaignName")
    contact_id: str | None = Field(None, alias="contactId")
    is_paused: bool = Field(False, alias="isPaused")
    is_unsubscribed: bool = Field(False, alias="isUnsubscribed")
    email_status: str | None = Field(None, alias="emailStatus")
    preferred_contact_method: str | None = Field(None, alias="preferredContactMethod")


class LeadCampaignRef(LemlistRecord):
    id: str
    name: str | None = None
    status: str | None = None


class LeadMembership(LemlistRecord):
    """One entry of `GET /leads/{email}?version=v2`: the lead as it stands in one campaign."""

    id: str = Field(alias="_id")
    updated_at: datetime | None = Field(None, alias="updatedAt")
    is_paused: bool = Field(False, alias="isPaused")
    state: str | None = None
    status: str | None = None
    source: str | None = None
    variables: dict[str, Any] = Field(default_factory=dict)
    contact_id: str | None = Field(None, alias="contactId")
    enrichment: dict[str, Any] = Field(default_factory=dict)
    campaign: LeadCampaignRef | None = None


class CampaignLeadRef(LemlistRecord):
    """An entry of `GET /campaigns/{id}/leads/`."""

    id: str = Field(alias="_id")
    contact_id: str | None = Field(None, alias="contactId")
    state: str | None = None


class LeadUpdate(LemlistInput):
    """The fields `PATCH /campaigns/{id}/leads/{leadId}` documents."""

    first_name: str | None = Field(None, serialization_alias="firstName")
    last_name: str | None = Field(None, serialization_alias="lastName")
    company_name: str | None = Field(None, serialization_alias="companyName")
    job_title: str | None = Field(None, serialization_alias="jobTitle")
    preferred_contact_method: str | None = Field(None, serialization_alias="preferredContactMethod")


# --- activities ----------------------------------------------------------------------------


class Activity(LemlistRecord):
    """An engagement event as `/activities` and webhooks carry it (`subject`, `text` extra)."""

    id: str = Field(alias="_id")
    type: str
    created_at: datetime = Field(alias="createdAt")
    is_first: bool | None = Field(None, alias="isFirst")
    campaign_id: str | None = Field(None, alias="campaignId")
    campaign_name: str | None = Field(None, alias="campaignName")
    lead_id: str | None = Field(None, alias="leadId")
    lead_email: str | None = Field(None, alias="leadEmail")
    lead_first_name: str | None = Field(None, alias="leadFirstName")
    lead_last_name: str | None = Field(None, alias="leadLastName")
    sequence_id: str | None = Field(None, alias="sequenceId")
    sequence_step: int | None = Field(None, alias="sequenceStep")
    subject: str | None = None
    text: str | None = None


# --- hooks and unsubscribes ----------------------------------------------------------------


class HookCreate(LemlistInput):
    """A webhook subscription; no `type` means every event. `secret` comes back in payloads."""

    target_url: str = Field(serialization_alias="targetUrl")
    type: str | None = None
    campaign_id: str | None = Field(None, serialization_alias="campaignId")
    is_first: bool | None = Field(None, serialization_alias="isFirst")
    secret: str | None = None


class Hook(LemlistRecord):
    id: str = Field(alias="_id")
    target_url: str = Field(alias="targetUrl")
    created_at: datetime | None = Field(None, alias="createdAt")
    type: str | None = None
    campaign_id: str | None = Field(None, alias="campaignId")
    is_first: bool | None = Field(None, alias="isFirst")
    zap_id: int | str | None = Field(None, alias="zapId")


class Unsubscribe(LemlistRecord):
    """An address (`john@x.com`) or domain (`@x.com`) lemlist will never email."""

    id: str = Field(alias="_id")
    value: str
    created_at: datetime | None = Field(None, alias="createdAt")
    source: str | None = None
    email: str | None = None


# --- conditional steps and sequences --------------------------------------------------------


class ConditionalStepCreate(SequenceStepCreate):
    """A `conditional` step: lemlist checks `conditionKey` (e.g. `emailsOpened`) within
    `delay` days (`delayType: within`) or waits until it holds (`waitUntil`)."""

    condition_key: str = Field(serialization_alias="conditionKey")
    delay_type: str | None = Field(None, serialization_alias="delayType")


class SequenceStepView(LemlistRecord):
    """A step as `GET /campaigns/{id}/sequences` lists it."""

    id: str = Field(alias="_id")
    type: str | None = None
    delay: int | None = None
    index: int | None = None
    subject: str | None = None
    message: str | None = None
    condition_key: str | None = Field(None, alias="conditionKey")
    delay_type: str | None = Field(None, alias="delayType")


class CampaignSequence(LemlistRecord):
    """One sequence of a campaign: the main one (`level` 0) or a nested branch."""

    id: str = Field(alias="_id")
    steps: list[SequenceStepView] = Field(default_factory=list)
    level: int = 0
    parent_id: str | None = Field(None, alias="parentId")
    conditional_step_index: int | None = Field(None, alias="conditionalStepIndex")


# --- People database (lemleads) -----------------------------------------------------------------


class DatabaseFilterSpec(LemlistRecord):
    """One `GET /database/filters` entry: what a search filter takes and where it applies."""

    filter_id: str = Field(alias="filterId")
    description: str | None = None
    mode: list[str] = Field(default_factory=list)  # "leads" (people) and/or "companies"
    type: str | None = None  # text | autocomplete | select | slider
    helper: str | None = None
    values: list[str] | None = None  # the accepted values of a `select` filter


class DatabaseFilter(LemlistInput):
    """`{filterId, in, out}`: any `in` value must match, no `out` value may."""

    filter_id: str = Field(alias="filterId", min_length=1, max_length=64)
    include: list[str] = Field(default_factory=list, alias="in", max_length=50)
    exclude: list[str] = Field(default_factory=list, alias="out", max_length=50)


class DatabasePage(LemlistRecord):
    """A `POST /database/people` or `/database/companies` answer. `limitation` is how many
    database searches the team has left in the current 24 hours."""

    results: list[dict[str, Any]] = Field(default_factory=list)
    total: int = 0
    took: int | None = None
    page: int = 1
    size: int | None = None
    search: str | None = None
    limitation: int | None = None
    team: str | None = None
