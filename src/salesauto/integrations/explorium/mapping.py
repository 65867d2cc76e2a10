"""Between our capability records (ICP, CompanyProfile, PersonProfile) and Explorium's shapes."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from salesauto.integrations.explorium.schemas import (
    Business,
    BusinessFilters,
    ContactInformation,
    FilterValues,
    Firmographics,
    FundingAndAcquisition,
    JobTitleFilter,
    Prospect,
    ProspectFilters,
    Technographics,
)
from salesauto.integrations.models import (
    CompanyProfile,
    FundingRound,
    IcpCriteria,
    PersonLookup,
    PersonProfile,
)

PROVIDER = "explorium"
# Our seniority vocabulary (Apollo's) → Explorium's `job_level` values.
JOB_LEVELS = {
    "owner": "owner",
    "founder": "founder",
    "c_suite": "c-suite",
    "partner": "partner",
    "vp": "vice president",
    "head": "director",
    "director": "director",
    "manager": "manager",
    "senior": "senior non-managerial",
    "entry": "non-managerial",
    "intern": "intern",
}
SENIORITY_OF_LEVEL = {level: ours for ours, level in JOB_LEVELS.items() if ours != "head"}
EmailStatus = Literal["valid", "catch-all", "invalid"]
EMAIL_STATUSES: dict[str, EmailStatus] = {
    "valid": "valid",
    "catch-all": "catch-all",
    "invalid": "invalid",
}


def normalise_domain(value: str) -> str:
    value = value.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].split("?", 1)[0]
    return value.removeprefix("www.")


def _values(items: list[str]) -> FilterValues | None:
    return FilterValues(values=items) if items else None


def business_filters(icp: IcpCriteria) -> BusinessFilters:
    """The ICP's firmographic and technographic criteria as Explorium fetch filters."""
    return BusinessFilters(
        country_code=_values([code.lower() for code in icp.countries]),
        company_size=_values(icp.employee_ranges),
        company_revenue=_values(icp.revenue_ranges),
        linkedin_category=_values([industry.lower() for industry in icp.industries]),
        company_tech_stack_tech=_values(icp.technologies),
        website_keywords=_values(icp.keywords),
    )


def prospect_filters(icp: IcpCriteria, business_ids: list[str]) -> ProspectFilters:
    """The ICP's people criteria, restricted to `business_ids`."""
    levels = list(dict.fromkeys(JOB_LEVELS.get(s, s) for s in icp.seniorities))
    return ProspectFilters(
        business_id=_values(business_ids),
        job_level=_values(levels),
        job_department=_values([d.lower() for d in icp.departments]),
        job_title=JobTitleFilter(values=icp.titles) if icp.titles else None,
    )


def company_profile(
    domain: str,
    business_id: str,
    firmographics: Firmographics | None,
    technographics: Technographics | None,
    funding: FundingAndAcquisition | None,
) -> CompanyProfile:
    """One CompanyProfile merged from the three enrichments (any may be missing)."""
    firm = firmographics or Firmographics()
    rounds = [
        FundingRound(
            type=info.round_type or "unknown",
            announced_on=_day(info.round_date),
            amount_usd=info.round_value_usd,
        )
        for info in (funding.funding_rounds_info if funding else [])
    ]
    return CompanyProfile(
        domain=domain,
        name=firm.name,
        provider=PROVIDER,
        provider_id=business_id,
        website=firm.website,
        description=firm.business_description,
        industry=firm.linkedin_industry_category,
        naics=firm.naics,
        employee_range=firm.number_of_employees_range,
        revenue_range=firm.yearly_revenue_range,
        country=firm.country_name,
        region=firm.region_name,
        city=firm.city_name,
        linkedin_url=firm.linkedin_profile,
        technologies=list(technographics.full_tech_stack) if technographics else [],
        funding_total_usd=funding.known_funding_total_value if funding else None,
        funding_rounds=rounds,
    )


def company_from_business(business: Business) -> CompanyProfile:
    """A fetch row as a CompanyProfile (enrichment adds technologies and funding)."""
    return CompanyProfile(
        domain=normalise_domain(business.domain or business.website or ""),
        name=business.name,
        provider=PROVIDER,
        provider_id=business.business_id,
        website=business.website,
        description=business.business_description,
        naics=str(business.naics) if business.naics is not None else None,
        employee_range=business.number_of_employees_range,
        revenue_range=business.yearly_revenue_range,
        country=business.country_name,
        region=business.region,
        city=business.city_name,
    )


def person_from_prospect(prospect: Prospect, company_domain: str | None) -> PersonProfile:
    levels = prospect.job_seniority_level
    level = levels[0] if isinstance(levels, list) and levels else levels
    seniority = SENIORITY_OF_LEVEL.get(level, level) if isinstance(level, str) else None
    website = prospect.company_website
    return PersonProfile(
        provider=PROVIDER,
        provider_id=prospect.prospect_id,
        first_name=prospect.first_name,
        last_name=prospect.last_name,
        title=prospect.job_title,
        seniority=seniority,
        department=prospect.job_department,
        linkedin_url=prospect.linkedin,
        city=prospect.city,
        country=prospect.country_name,
        company_domain=company_domain or (normalise_domain(website) if website else None),
        company_name=prospect.company_name,
    )


def person_from_contacts(
    lookup: PersonLookup,
    prospect_id: str,
    contacts: ContactInformation | None,
    profile: Prospect | None = None,
) -> PersonProfile:
    """A matched person from its contact details and (when bought) its profile: role,
    seniority, department, LinkedIn and location."""
    email = contacts.email if contacts else None
    status = EMAIL_STATUSES.get(contacts.professional_email_status or "") if contacts else None
    known = person_from_prospect(profile, None) if profile else None
    domain = (
        lookup.company_domain
        or (email.rsplit("@", 1)[-1] if email else None)
        or (known.company_domain if known else None)
    )
    return PersonProfile(
        provider=PROVIDER,
        provider_id=prospect_id,
        email=email.lower() if email else None,
        email_status=status,
        first_name=(known.first_name if known else None) or lookup.first_name,
        last_name=(known.last_name if known else None) or lookup.last_name,
        title=known.title if known else None,
        seniority=known.seniority if known else None,
        department=known.department if known else None,
        linkedin_url=(known.linkedin_url if known else None) or lookup.linkedin_url,
        phone=contacts.phone if contacts else None,
        city=known.city if known else None,
        country=known.country if known else None,
        company_domain=normalise_domain(domain) if domain else None,
        company_name=(known.company_name if known else None) or lookup.company_name,
    )


def full_name(lookup: PersonLookup) -> str | None:
    name = " ".join(part for part in (lookup.first_name, lookup.last_name) if part)
    return name or None


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
