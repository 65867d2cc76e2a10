"""Explorium v1 request and response bodies as pydantic models.

Inputs forbid unknown fields (a typo must not silently widen a search); vendor responses ignore
fields we do not use, so a new field on Explorium's side never breaks a call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FetchMode = Literal["full", "preview"]
# Every `/v1/businesses/{enrichment}` kind of the v1 spec.
BusinessEnrichment = Literal[
    "firmographics",
    "technographics",
    "funding_and_acquisition",
    "workforce_trends",
    "financial_indicators",
    "company_hierarchies",
    "company_ratings_by_employees",
    "company_website_keywords",
    "website_changes",
    "website_traffic",
    "webstack",
    "bombora_intent",
    "linkedin_posts",
    "lookalikes",
    "pc_business_challenges_10k",
    "pc_competitive_landscape_10k",
    "pc_strategy_10k",
]
ProspectEnrichment = Literal["contacts_information", "profiles", "linkedin_posts"]
_DEPARTMENT_CHANGES = ("engineering", "sales", "marketing", "operations", "customer_service")
_HIRING = (
    "creative", "education", "engineering", "finance", "health", "human_resources", "legal",
    "marketing", "operations", "professional_service", "sales", "support", "trade", "unknown",
)  # fmt: skip
# The 39 `BusinessesEventIdentifier` values of the v1 spec.
BUSINESS_EVENT_TYPES: tuple[str, ...] = (
    "ipo_announcement", "new_funding_round", "new_investment", "new_product", "new_office",
    "closing_office", "new_partnership", "employee_joined_company", "company_award",
    "outages_and_security_breaches", "cost_cutting", "merger_and_acquisitions",
    "lawsuits_and_legal_issues",
    *(f"{way}_in_{d}_department" for way in ("increase", "decrease") for d in _DEPARTMENT_CHANGES),
    "increase_in_all_departments", "decrease_in_all_departments",
    *(f"hiring_in_{d}_department" for d in _HIRING),
)  # fmt: skip
ProspectEventType = Literal[
    "prospect_changed_role", "prospect_changed_company", "prospect_job_start_anniversary"
]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Vendor(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- inputs ------------------------------------------------------------------------------------


class FilterValues(Input):
    """`{"values": [...], "negate": false}`: any value matches; `negate` inverts the filter."""

    values: list[str] = Field(min_length=1)
    negate: bool = False


class FilterFlag(Input):
    """Existence check, e.g. `has_email: {"value": true}`."""

    value: bool


class JobTitleFilter(FilterValues):
    include_related_job_titles: bool = False


class MonthsRange(Input):
    gte: int | None = None
    lte: int | None = None


class EventsFilter(Input):
    values: list[str] = Field(min_length=1)
    last_occurrence: int = 90
    negate: bool = False


class BusinessFilters(Input):
    """`BusinessesFetchFilters`: each present filter must match (AND)."""

    country_code: FilterValues | None = None
    region_country_code: FilterValues | None = None
    company_size: FilterValues | None = None
    company_revenue: FilterValues | None = None
    company_age: FilterValues | None = None
    naics_category: FilterValues | None = None
    linkedin_category: FilterValues | None = None
    google_category: FilterValues | None = None
    company_tech_stack_category: FilterValues | None = None
    company_tech_stack_tech: FilterValues | None = None
    company_name: FilterValues | None = None
    number_of_locations: FilterValues | None = None
    city_region_country: FilterValues | None = None
    website_keywords: FilterValues | None = None
    events: EventsFilter | None = None
    has_website: FilterFlag | None = None


class ProspectFilters(Input):
    """`ProspectsFetchFilters`: each present filter must match (AND)."""

    job_level: FilterValues | None = None
    job_department: FilterValues | None = None
    job_title: JobTitleFilter | None = None
    business_id: FilterValues | None = None
    has_email: FilterFlag | None = None
    has_phone_number: FilterFlag | None = None
    total_experience_months: MonthsRange | None = None
    current_role_months: MonthsRange | None = None
    company_country_code: FilterValues | None = None
    country_code: FilterValues | None = None
    company_size: FilterValues | None = None
    company_revenue: FilterValues | None = None
    company_name: FilterValues | None = None
    linkedin_category: FilterValues | None = None


class BusinessToMatch(Input):
    name: str | None = None
    domain: str | None = None
    url: str | None = None
    linkedin_url: str | None = None


class ProspectToMatch(Input):
    full_name: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    linkedin: str | None = None
    business_id: str | None = None


# --- responses ---------------------------------------------------------------------------------


class ResponseContext(Vendor):
    correlation_id: str | None = None
    request_status: str | None = None
    time_took_in_seconds: float | None = None


class MatchedBusiness(Vendor):
    input: dict[str, Any] = Field(default_factory=dict)
    business_id: str | None = None
    error: str | None = None


class MatchedProspect(Vendor):
    input: dict[str, Any] = Field(default_factory=dict)
    prospect_id: str | None = None
    error: str | None = None


class Business(Vendor):
    """A `POST /v1/businesses` row (preview mode fills only the first fields)."""

    business_id: str
    name: str | None = None
    domain: str | None = None
    logo: str | None = None
    country_name: str | None = None
    number_of_employees_range: str | None = None
    yearly_revenue_range: str | None = None
    city_name: str | None = None
    region: str | None = None
    website: str | None = None
    business_description: str | None = None
    naics: int | str | None = None
    naics_description: str | None = None
    sic_code: str | None = None


class BusinessPage(Vendor):
    response_context: ResponseContext | None = None
    total_results: int = 0
    page: int = 1
    total_pages: int = 0
    data: list[Business] = Field(default_factory=list)


class BusinessStats(Vendor):
    total_results: int = 0
    stats: dict[str, Any] = Field(default_factory=dict)


class Firmographics(Vendor):
    business_id: str | None = None
    name: str | None = None
    business_description: str | None = None
    website: str | None = None
    country_name: str | None = None
    region_name: str | None = None
    city_name: str | None = None
    naics: str | None = None
    naics_description: str | None = None
    number_of_employees_range: str | None = None
    yearly_revenue_range: str | None = None
    linkedin_industry_category: str | None = None
    linkedin_profile: str | None = None
    business_logo: str | None = None


class Technographics(Vendor):
    """`full_tech_stack` plus the per-category arrays (`sales`, `marketing`, …) kept as extras."""

    model_config = ConfigDict(extra="allow")

    full_tech_stack: list[str] = Field(default_factory=list)
    full_nested_tech_stack: list[dict[str, Any]] = Field(default_factory=list)


class FundingRoundInfo(Vendor):
    round_type: str | None = None
    round_date: str | None = None
    round_value_usd: int | None = None
    investors: list[str] = Field(default_factory=list)


class FundingAndAcquisition(Vendor):
    domain: str | None = None
    company_name: str | None = None
    investors: list[str] = Field(default_factory=list)
    number_of_funding_rounds: int | None = None
    first_funding_round_type: str | None = None
    first_funding_round_date: str | None = None
    first_funding_round_value_usd: int | None = None
    last_funding_round_type: str | None = None
    last_funding_round_date: str | None = None
    last_funding_round_value_usd: int | None = None
    known_funding_total_value: int | None = None
    is_ipo: bool | None = None
    ipo_date: str | None = None
    acquired_by: str | None = None
    funding_rounds_info: list[FundingRoundInfo] = Field(default_factory=list)


class Prospect(Vendor):
    """A `POST /v1/prospects` row: who and where, without contact details."""

    prospect_id: str
    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    country_name: str | None = None
    region_name: str | None = None
    city: str | None = None
    linkedin: str | None = None
    job_title: str | None = None
    job_department: str | None = None
    job_seniority_level: list[str] | str | None = None
    business_id: str | None = None
    company_name: str | None = None
    company_website: str | None = None


class ProspectPage(Vendor):
    response_context: ResponseContext | None = None
    total_results: int = 0
    page: int = 1
    total_pages: int = 0
    data: list[Prospect] = Field(default_factory=list)


class ProspectProfile(Prospect):
    experience: list[dict[str, Any]] = Field(default_factory=list)


class ContactInformation(Vendor):
    emails: list[dict[str, str | None]] = Field(default_factory=list)
    # Explorium really spells it `professions_email`.
    professions_email: str | None = None
    professional_email_status: str | None = None
    phone_numbers: list[dict[str, str | None]] = Field(default_factory=list)
    mobile_phone: str | None = None

    @property
    def email(self) -> str | None:
        if self.professions_email:
            return self.professions_email
        return next((e.get("address") for e in self.emails if e.get("address")), None)

    @property
    def phone(self) -> str | None:
        if self.mobile_phone:
            return self.mobile_phone
        return next(
            (p.get("phone_number") for p in self.phone_numbers if p.get("phone_number")), None
        )


class Credits(Vendor):
    model_config = ConfigDict(extra="allow")

    total_credits: int | None = None
    used_credits: int | None = None
    remaining_credits: int | None = None


class ProspectEvent(Vendor):
    """A `POST /v1/prospects/events` row: a job change or work anniversary."""

    event_id: str
    event_name: str
    event_time: datetime
    prospect_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
