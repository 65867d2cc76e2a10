"""Typed records that cross the capability interfaces, whichever vendor is behind them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EMPLOYEE_RANGES = (
    "1-10",
    "11-50",
    "51-200",
    "201-500",
    "501-1000",
    "1001-5000",
    "5001-10000",
    "10001+",
)
REVENUE_RANGES = (
    "0-500K",
    "500K-1M",
    "1M-5M",
    "5M-10M",
    "10M-25M",
    "25M-75M",
    "75M-200M",
    "200M-500M",
    "500M-1B",
    "1B-10B",
    "10B-100B",
    "100B-1T",
)
SENIORITIES = (
    "owner",
    "founder",
    "c_suite",
    "partner",
    "vp",
    "head",
    "director",
    "manager",
    "senior",
    "entry",
    "intern",
)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IcpCriteria(Record):
    """An ideal customer profile: who we want to find. Empty lists mean "any"."""

    industries: list[str] = Field(default_factory=list, description="e.g. `software development`")
    countries: list[str] = Field(default_factory=list, description="ISO-2 codes, e.g. `us`, `de`")
    employee_ranges: list[str] = Field(default_factory=list, description="e.g. `51-200`")
    revenue_ranges: list[str] = Field(default_factory=list, description="e.g. `10M-25M`")
    technologies: list[str] = Field(default_factory=list, description="e.g. `Salesforce`")
    titles: list[str] = Field(default_factory=list, description="Job titles of the people")
    seniorities: list[str] = Field(default_factory=list, description="e.g. `vp`, `director`")
    departments: list[str] = Field(default_factory=list, description="e.g. `sales`")
    keywords: list[str] = Field(default_factory=list, description="Free-text company keywords")


class FundingRound(Record):
    type: str
    announced_on: date | None = None
    amount_usd: int | None = None


class CompanyProfile(Record):
    """A company as a provider knows it. `domain` is its identity on our side."""

    domain: str
    name: str | None = None
    provider: str
    provider_id: str | None = None
    website: str | None = None
    description: str | None = None
    industry: str | None = None
    naics: str | None = None
    employee_range: str | None = None
    employees: int | None = None
    revenue_range: str | None = None
    annual_revenue_usd: int | None = None
    country: str | None = None
    country_code: str | None = None
    region: str | None = None
    city: str | None = None
    founded_year: int | None = None
    linkedin_url: str | None = None
    technologies: list[str] = Field(default_factory=list)
    funding_total_usd: int | None = None
    funding_rounds: list[FundingRound] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)


class PersonProfile(Record):
    """A person at a company. `email` is the identity once known (search results may lack it)."""

    provider: str
    provider_id: str | None = None
    email: str | None = None
    email_status: Literal["verified", "valid", "catch-all", "unverified", "invalid"] | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    seniority: str | None = None
    department: str | None = None
    linkedin_url: str | None = None
    phone: str | None = None
    city: str | None = None
    country: str | None = None
    company_domain: str | None = None
    company_name: str | None = None


class PersonLookup(Record):
    """What we know about a person we want enriched; email alone is usually enough."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_domain: str | None = None
    company_name: str | None = None
    linkedin_url: str | None = None


class BusinessEvent(Record):
    provider: str
    event_id: str
    company_domain: str | None = None
    provider_company_id: str | None = None
    type: str
    occurred_at: datetime
    data: dict[str, object] = Field(default_factory=dict)


class CrmContact(Record):
    """A contact to write to the CRM, keyed by email. `properties` are extra CRM fields."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    company_name: str | None = None
    company_domain: str | None = None
    phone: str | None = None
    properties: dict[str, str] = Field(default_factory=dict)


class CrmCompany(Record):
    domain: str
    name: str | None = None
    industry: str | None = None
    employees: int | None = None
    annual_revenue_usd: int | None = None
    country: str | None = None
    city: str | None = None
    properties: dict[str, str] = Field(default_factory=dict)


class CrmWriteOutcome(Record):
    """One input's fate in a batch write: its CRM id and whether it was created, or an error."""

    key: str = Field(description="The input's identity: email or domain")
    crm_id: str | None = None
    created: bool = False
    error: str | None = None


class CrmTask(Record):
    contact_crm_id: str
    subject: str
    body: str | None = None
    due_at: datetime
    priority: Literal["LOW", "MEDIUM", "HIGH"] = "MEDIUM"
    task_type: Literal["EMAIL", "CALL", "TODO"] = "TODO"
    owner_id: str | None = None


class CrmNote(Record):
    contact_crm_id: str
    body: str
    at: datetime
    owner_id: str | None = None


class OutreachLead(Record):
    """A lead to enroll; custom variables become the sequence's `{{variables}}`."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    company_domain: str | None = None
    job_title: str | None = None
    linkedin_url: str | None = None
    phone: str | None = None
    icebreaker: str | None = None
    variables: dict[str, str] = Field(default_factory=dict)


class EnrollmentOutcome(Record):
    """`enrolled` false with a `skipped_reason` when the provider deduplicated the lead."""

    email: str
    enrolled: bool
    lead_id: str | None = None
    contact_id: str | None = None
    skipped_reason: str | None = None


class OutreachActivity(Record):
    """One engagement event (sent, opened, clicked, replied, bounced, unsubscribed…)."""

    provider: str
    activity_id: str
    type: str
    campaign_id: str | None = None
    lead_id: str | None = None
    lead_email: str | None = None
    occurred_at: datetime
    sequence_step: int | None = None
    data: dict[str, object] = Field(default_factory=dict)
