"""Apollo request parameters and response bodies as pydantic models.

Inputs forbid unknown fields; vendor responses ignore the many fields we do not use.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Vendor(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- inputs ------------------------------------------------------------------------------------


class RevenueRange(Input):
    min: int | None = None
    max: int | None = None


class OrganizationQuery(Input):
    """Organization facets shared by people and organization search (empty = any)."""

    organization_locations: list[str] = Field(default_factory=list)
    organization_num_employees_ranges: list[str] = Field(
        default_factory=list, description='Inclusive ranges like "51,200"'
    )
    organization_ids: list[str] = Field(default_factory=list)
    q_organization_domains_list: list[str] = Field(default_factory=list, max_length=1000)
    q_organization_keyword_tags: list[str] = Field(default_factory=list)
    q_organization_name: str | None = None
    revenue_range: RevenueRange | None = None
    currently_using_any_of_technology_uids: list[str] = Field(default_factory=list)
    currently_using_all_of_technology_uids: list[str] = Field(default_factory=list)
    currently_not_using_any_of_technology_uids: list[str] = Field(default_factory=list)
    page: int = Field(1, ge=1, le=500)
    per_page: int = Field(100, ge=1, le=100)


class PeopleQuery(OrganizationQuery):
    """`mixed_people/api_search` parameters."""

    person_titles: list[str] = Field(default_factory=list)
    include_similar_titles: bool | None = None
    q_keywords: str | None = None
    person_locations: list[str] = Field(default_factory=list)
    person_seniorities: list[str] = Field(default_factory=list)
    contact_email_status: list[str] = Field(default_factory=list)


class PersonDetails(Input):
    """Who to enrich: email alone is enough; a name needs a domain or organization name."""

    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    email: str | None = None
    hashed_email: str | None = None
    organization_name: str | None = None
    domain: str | None = None
    id: str | None = None
    linkedin_url: str | None = None


# --- responses ---------------------------------------------------------------------------------


class SearchedOrganization(Vendor):
    name: str | None = None


class SearchedPerson(Vendor):
    """A search row: no email, phone or full last name (those cost an enrichment)."""

    id: str
    first_name: str | None = None
    last_name_obfuscated: str | None = None
    title: str | None = None
    has_email: bool | None = None
    has_direct_phone: str | bool | None = None
    organization: SearchedOrganization | None = None


class PeoplePage(Vendor):
    total_entries: int = 0
    people: list[SearchedPerson] = Field(default_factory=list)


class Technology(Vendor):
    uid: str | None = None
    name: str
    category: str | None = None


class FundingEvent(Vendor):
    id: str | None = None
    date: str | None = None
    type: str | None = None
    investors: str | None = None
    amount: str | None = None
    currency: str | None = None


class Organization(Vendor):
    id: str | None = None
    name: str | None = None
    website_url: str | None = None
    linkedin_url: str | None = None
    primary_domain: str | None = None
    founded_year: int | None = None
    industry: str | None = None
    industries: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    estimated_num_employees: int | None = None
    annual_revenue: float | None = None
    total_funding: int | None = None
    latest_funding_stage: str | None = None
    funding_events: list[FundingEvent] = Field(default_factory=list)
    technology_names: list[str] = Field(default_factory=list)
    current_technologies: list[Technology] = Field(default_factory=list)
    city: str | None = None
    state: str | None = None
    country: str | None = None
    short_description: str | None = None
    phone: str | None = None


class Pagination(Vendor):
    page: int = 1
    per_page: int = 0
    total_entries: int = 0
    total_pages: int = 0


class OrganizationPage(Vendor):
    pagination: Pagination = Field(default_factory=Pagination)
    organizations: list[Organization] = Field(default_factory=list)


class EmploymentEntry(Vendor):
    organization_name: str | None = None
    title: str | None = None
    current: bool | None = None
    start_date: str | None = None
    end_date: str | None = None


class MatchedPerson(Vendor):
    id: str
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    linkedin_url: str | None = None
    title: str | None = None
    headline: str | None = None
    email_status: str | None = None
    email: str | None = None
    organization_id: str | None = None
    employment_history: list[EmploymentEntry] = Field(default_factory=list)
    city: str | None = None
    state: str | None = None
    country: str | None = None
    organization: Organization | None = None
    departments: list[str] = Field(default_factory=list)
    seniority: str | None = None


class BulkMatchResult(Vendor):
    status: str | None = None
    total_requested_enrichments: int | None = None
    missing_records: int | None = None
    credits_consumed: int | None = None
    matches: list[MatchedPerson | None] = Field(default_factory=list)
