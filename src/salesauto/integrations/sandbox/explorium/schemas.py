"""Request bodies of the emulated Explorium v1 endpoints, validated as the vendor's FastAPI does.

Invalid input (an unknown filter, a bad enum value, 51 ids) answers 422 with a FastAPI
`detail` array, exactly like Explorium.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

BusinessId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
ProspectId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]

CompanySize = Literal[
    "1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+"
]
CompanyRevenue = Literal[
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
    "1T-10T",
    "10T+",
]
CompanyAge = Literal["0-3", "3-6", "6-10", "10-20", "20+"]

_DEPARTMENTS = ("engineering", "sales", "marketing", "operations", "customer_service", "all")
_HIRING = (
    "creative",
    "education",
    "engineering",
    "finance",
    "health",
    "human_resources",
    "legal",
    "marketing",
    "operations",
    "professional_service",
    "sales",
    "support",
    "trade",
    "unknown",
)


def _change(direction: str, department: str) -> str:
    suffix = "departments" if department == "all" else "department"
    return f"{direction}_in_{department}_{suffix}"


# The 39 `BusinessesEventIdentifier` values of the spec.
BUSINESS_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "ipo_announcement",
        "new_funding_round",
        "new_investment",
        "new_product",
        "new_office",
        "closing_office",
        "new_partnership",
        "employee_joined_company",
        "company_award",
        "outages_and_security_breaches",
        "cost_cutting",
        "merger_and_acquisitions",
        "lawsuits_and_legal_issues",
        *(_change("increase", d) for d in _DEPARTMENTS),
        *(_change("decrease", d) for d in _DEPARTMENTS),
        *(f"hiring_in_{d}_department" for d in _HIRING),
    }
)

PROSPECT_EVENT_TYPES: frozenset[str] = frozenset(
    {"prospect_changed_role", "prospect_changed_company", "prospect_job_start_anniversary"}
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Values(Body):
    values: list[str] = Field(min_length=1)
    negate: bool = False


class SizeValues(Body):
    values: list[CompanySize] = Field(min_length=1)
    negate: bool = False


class RevenueValues(Body):
    values: list[CompanyRevenue] = Field(min_length=1)
    negate: bool = False


class AgeValues(Body):
    values: list[CompanyAge] = Field(min_length=1)
    negate: bool = False


class Flag(Body):
    value: bool


class EventsFilter(Body):
    values: list[str] = Field(min_length=1)
    last_occurrence: int = Field(90, ge=1, le=3650)
    negate: bool = False


class JobTitleValues(Values):
    include_related_job_titles: bool = False


class MonthsRange(Body):
    gte: int | None = None
    lte: int | None = None


class BusinessFilters(Body):
    """The `BusinessesFetchFilters` the sandbox applies (others answer 422: not supported)."""

    country_code: Values | None = None
    company_size: SizeValues | None = None
    company_revenue: RevenueValues | None = None
    company_age: AgeValues | None = None
    naics_category: Values | None = None
    linkedin_category: Values | None = None
    google_category: Values | None = None
    company_tech_stack_category: Values | None = None
    company_tech_stack_tech: Values | None = None
    company_name: Values | None = None
    website_keywords: Values | None = None
    events: EventsFilter | None = None
    has_website: Flag | None = None


class ProspectFilters(Body):
    """The `ProspectsFetchFilters` the sandbox applies."""

    job_level: Values | None = None
    job_department: Values | None = None
    job_title: JobTitleValues | None = None
    business_id: Values | None = None
    has_email: Flag | None = None
    has_phone_number: Flag | None = None
    current_role_months: MonthsRange | None = None
    company_country_code: Values | None = None
    country_code: Values | None = None
    company_size: SizeValues | None = None
    company_revenue: RevenueValues | None = None
    company_name: Values | None = None
    linkedin_category: Values | None = None


class FetchBody(Body):
    mode: Literal["full", "preview"]
    size: int = Field(ge=1, le=60000)
    page_size: int = Field(ge=1, le=500)
    page: int = Field(1, ge=1)
    exclude: list[str] = Field(default_factory=list, max_length=1000)
    next_cursor: str | None = None
    request_context: dict[str, Any] | None = None


class BusinessFetchBody(FetchBody):
    filters: BusinessFilters = Field(default_factory=BusinessFilters)


class ProspectFetchBody(FetchBody):
    filters: ProspectFilters = Field(default_factory=ProspectFilters)


class StatsBody(Body):
    filters: BusinessFilters = Field(default_factory=BusinessFilters)
    request_context: dict[str, Any] | None = None


class BusinessToMatch(Body):
    name: str | None = None
    domain: str | None = None
    url: str | None = None
    linkedin_url: str | None = None


class BusinessMatchBody(Body):
    businesses_to_match: list[BusinessToMatch] = Field(min_length=1, max_length=50)
    request_context: dict[str, Any] | None = None


class ProspectToMatch(Body):
    full_name: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    linkedin: str | None = None
    business_id: str | None = None


class ProspectMatchBody(Body):
    prospects_to_match: list[ProspectToMatch] = Field(min_length=1, max_length=50)
    request_context: dict[str, Any] | None = None


class BusinessEnrichBody(Body):
    business_id: BusinessId
    parameters: dict[str, Any] = Field(default_factory=dict)
    request_context: dict[str, Any] | None = None


class BusinessBulkEnrichBody(Body):
    business_ids: list[BusinessId] = Field(min_length=1, max_length=50)
    parameters: dict[str, Any] = Field(default_factory=dict)
    request_context: dict[str, Any] | None = None


class ProspectEnrichBody(Body):
    prospect_id: ProspectId
    parameters: dict[str, Any] = Field(default_factory=dict)
    request_context: dict[str, Any] | None = None


class ProspectBulkEnrichBody(Body):
    prospect_ids: list[ProspectId] = Field(min_length=1, max_length=50)
    parameters: dict[str, Any] = Field(default_factory=dict)
    request_context: dict[str, Any] | None = None


class _EventsBody(Body):
    KNOWN_EVENT_TYPES: ClassVar[frozenset[str]] = frozenset()
    event_types: list[str] = Field(min_length=1)
    timestamp_from: datetime | None = None
    timestamp_to: datetime | None = None
    request_context: dict[str, Any] | None = None

    @field_validator("event_types")
    @classmethod
    def known_event_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - cls.KNOWN_EVENT_TYPES)
        if unknown:
            raise ValueError(f"unknown event types: {', '.join(unknown)}")
        return value


class BusinessEventsBody(_EventsBody):
    KNOWN_EVENT_TYPES = frozenset(BUSINESS_EVENT_TYPES)
    business_ids: list[BusinessId] = Field(min_length=1, max_length=40)


class ProspectEventsBody(_EventsBody):
    KNOWN_EVENT_TYPES = frozenset(PROSPECT_EVENT_TYPES)
    prospect_ids: list[ProspectId] = Field(min_length=1, max_length=40)
