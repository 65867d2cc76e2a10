"""The parameters of each emulated Apollo endpoint."""

from __future__ import annotations

from pydantic import Field

from salesauto.integrations.sandbox.apollo.params import Params, StrList


class RevenueRange(Params):
    min: int | None = None
    max: int | None = None


class OrganizationFilters(Params):
    organization_locations: StrList = Field(default_factory=list)
    organization_num_employees_ranges: StrList = Field(default_factory=list)
    organization_ids: StrList = Field(default_factory=list)
    q_organization_domains_list: StrList = Field(default_factory=list, max_length=1000)
    q_organization_keyword_tags: StrList = Field(default_factory=list)
    q_organization_name: str | None = None
    revenue_range: RevenueRange | None = None
    currently_using_any_of_technology_uids: StrList = Field(default_factory=list)
    currently_using_all_of_technology_uids: StrList = Field(default_factory=list)
    currently_not_using_any_of_technology_uids: StrList = Field(default_factory=list)
    page: int = Field(1, ge=1, le=500)
    per_page: int = Field(10, ge=1)


class PeopleSearch(OrganizationFilters):
    person_titles: StrList = Field(default_factory=list)
    include_similar_titles: bool = True
    q_keywords: str | None = None
    person_locations: StrList = Field(default_factory=list)
    person_seniorities: StrList = Field(default_factory=list)
    contact_email_status: StrList = Field(default_factory=list)
    q_organization_job_titles: StrList = Field(default_factory=list)


class PersonDetails(Params):
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    email: str | None = None
    hashed_email: str | None = None
    organization_name: str | None = None
    domain: str | None = None
    id: str | None = None
    linkedin_url: str | None = None


class PersonMatch(PersonDetails):
    reveal_personal_emails: bool = False
    reveal_phone_number: bool = False
    webhook_url: str | None = None


class BulkPersonMatch(Params):
    details: list[PersonDetails] = Field(default_factory=list)
    reveal_personal_emails: bool = False
    reveal_phone_number: bool = False
    webhook_url: str | None = None


class OrganizationEnrich(Params):
    domain: str | None = None
    linkedin_url: str | None = None
    name: str | None = None
    website: str | None = None


class BulkOrganizationEnrich(Params):
    domains: StrList = Field(default_factory=list)
