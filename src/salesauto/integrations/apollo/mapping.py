"""Between our capability records and Apollo's parameters and shapes."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from salesauto.integrations.apollo.schemas import (
    MatchedPerson,
    Organization,
    OrganizationQuery,
    PersonDetails,
    RevenueRange,
    SearchedPerson,
)
from salesauto.integrations.models import (
    EMPLOYEE_RANGES,
    REVENUE_RANGES,
    CompanyProfile,
    FundingRound,
    IcpCriteria,
    PersonLookup,
    PersonProfile,
)

PROVIDER = "apollo"
# Apollo filters locations by name; our ICPs use ISO-2 codes.
COUNTRY_NAMES = {
    "us": "United States", "gb": "United Kingdom", "de": "Germany", "fr": "France",
    "ca": "Canada", "nl": "Netherlands", "au": "Australia", "in": "India", "es": "Spain",
    "se": "Sweden", "br": "Brazil", "ie": "Ireland", "sg": "Singapore", "ch": "Switzerland",
    "il": "Israel", "it": "Italy", "be": "Belgium", "at": "Austria", "dk": "Denmark",
    "no": "Norway", "fi": "Finland", "pl": "Poland", "pt": "Portugal", "cz": "Czechia",
    "jp": "Japan", "kr": "South Korea", "cn": "China", "hk": "Hong Kong", "nz": "New Zealand",
    "mx": "Mexico", "ar": "Argentina", "cl": "Chile", "co": "Colombia", "za": "South Africa",
    "ae": "United Arab Emirates", "sa": "Saudi Arabia", "tr": "Turkey", "ro": "Romania",
    "ee": "Estonia", "lt": "Lithuania", "lu": "Luxembourg", "gr": "Greece", "hu": "Hungary",
}  # fmt: skip
COUNTRY_CODES = {name.lower(): code for code, name in COUNTRY_NAMES.items()}
# Apollo `departments` → our department words.
DEPARTMENTS = {
    "c_suite": "executive",
    "master_sales": "sales",
    "master_marketing": "marketing",
    "master_engineering_technical": "engineering",
    "master_operations": "operations",
    "master_finance": "finance",
    "master_human_resources": "human resources",
    "master_support": "customer service",
    "master_information_technology": "information technology",
    "master_product_management": "product",
}
EmailStatus = Literal["verified", "unverified"]
EMAIL_STATUSES: dict[str, EmailStatus] = {
    "verified": "verified",
    "unverified": "unverified",
    "likely to engage": "unverified",
    "guessed": "unverified",
    "extrapolated": "unverified",
}
_MONEY = {"K": 1_000, "M": 1_000_000, "B": 1_000_000_000, "T": 1_000_000_000_000}


def normalise_domain(value: str) -> str:
    value = value.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].split("?", 1)[0]
    return value.removeprefix("www.")


def technology_uid(name: str) -> str:
    """Apollo's technology uid for a product name (`Google Analytics` → `google_analytics`)."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def money(text: str) -> int:
    """`"3.6M"` → 3,600,000 (Apollo prints round amounts this way)."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([KMBT]?)\s*", text.upper())
    if match is None:
        raise ValueError(text)
    return round(float(match.group(1)) * _MONEY.get(match.group(2), 1))


def revenue_bounds(label: str) -> tuple[int, int | None]:
    """`"10M-25M"` → (10,000,000, 25,000,000); `"10T+"` → (10T, None)."""
    low, _, high = label.rstrip("+").partition("-")
    return money(low), money(high) if high else None


def employee_range_param(label: str) -> str:
    """`"51-200"` → `"51,200"`; `"10001+"` → `"10001,"` (open)."""
    low, _, high = label.rstrip("+").partition("-")
    return f"{low},{high}"


def employee_range_of(employees: int | None) -> str | None:
    if employees is None:
        return None
    for label in EMPLOYEE_RANGES:
        low, _, high = label.rstrip("+").partition("-")
        if int(low) <= employees and (not high or employees <= int(high)):
            return label
    return None


def revenue_range_of(revenue: float | None) -> str | None:
    if revenue is None:
        return None
    for label in REVENUE_RANGES:
        low, high = revenue_bounds(label)
        if low <= revenue and (high is None or revenue < high):
            return label
    return None


def organization_query(icp: IcpCriteria) -> OrganizationQuery:
    """The ICP's company criteria as Apollo organization facets. Several revenue ranges become
    one span and industries become keyword tags; `matches_icp` checks the exact criteria."""
    spans = [revenue_bounds(label) for label in icp.revenue_ranges]
    revenue = None
    if spans:
        highs = [high for _, high in spans]
        revenue = RevenueRange(
            min=min(low for low, _ in spans),
            max=None if None in highs else max(h for h in highs if h is not None),
        )
    return OrganizationQuery(
        organization_locations=[COUNTRY_NAMES.get(c.lower(), c) for c in icp.countries],
        organization_num_employees_ranges=[employee_range_param(r) for r in icp.employee_ranges],
        q_organization_keyword_tags=[k.lower() for k in icp.keywords or icp.industries],
        revenue_range=revenue,
        currently_using_any_of_technology_uids=[technology_uid(t) for t in icp.technologies],
    )


def matches_icp(profile: CompanyProfile, icp: IcpCriteria) -> bool:
    """The criteria Apollo's facets can only approximate: industries and revenue ranges."""
    industries = {i.lower() for i in icp.industries}
    if industries and (profile.industry or "").lower() not in industries:
        return False
    return not icp.revenue_ranges or profile.revenue_range in icp.revenue_ranges


def company_profile(organization: Organization, domain: str | None = None) -> CompanyProfile:
    rounds = []
    for event in organization.funding_events:
        try:
            amount = money(event.amount) if event.amount else None
        except ValueError:
            amount = None
        rounds.append(
            FundingRound(
                type=event.type or "unknown", announced_on=_day(event.date), amount_usd=amount
            )
        )
    rounds.sort(key=lambda r: r.announced_on or date.min)
    revenue = organization.annual_revenue
    return CompanyProfile(
        domain=domain
        or normalise_domain(organization.primary_domain or organization.website_url or ""),
        name=organization.name,
        provider=PROVIDER,
        provider_id=organization.id,
        website=organization.website_url,
        description=organization.short_description,
        industry=organization.industry,
        employee_range=employee_range_of(organization.estimated_num_employees),
        employees=organization.estimated_num_employees,
        revenue_range=revenue_range_of(revenue),
        annual_revenue_usd=round(revenue) if revenue is not None else None,
        country=organization.country,
        country_code=COUNTRY_CODES.get((organization.country or "").lower()),
        region=organization.state,
        city=organization.city,
        founded_year=organization.founded_year,
        linkedin_url=organization.linkedin_url,
        technologies=list(organization.technology_names),
        funding_total_usd=organization.total_funding,
        funding_rounds=rounds,
        keywords=list(organization.keywords),
    )


def person_from_search(
    row: SearchedPerson, company_domain: str | None, seniority: str | None
) -> PersonProfile:
    return PersonProfile(
        provider=PROVIDER,
        provider_id=row.id,
        first_name=row.first_name,
        title=row.title,
        seniority=seniority,
        company_domain=company_domain,
        company_name=row.organization.name if row.organization else None,
    )


def person_from_match(person: MatchedPerson) -> PersonProfile:
    organization = person.organization
    domain = organization.primary_domain if organization else None
    if domain is None and person.email and "@" in person.email:
        domain = person.email.rsplit("@", 1)[1]
    departments = [DEPARTMENTS.get(d, d) for d in person.departments]
    return PersonProfile(
        provider=PROVIDER,
        provider_id=person.id,
        email=person.email.lower() if person.email else None,
        email_status=EMAIL_STATUSES.get(person.email_status or "") if person.email else None,
        first_name=person.first_name,
        last_name=person.last_name,
        title=person.title,
        seniority=person.seniority,
        department=departments[0] if departments else None,
        linkedin_url=person.linkedin_url,
        city=person.city,
        country=person.country,
        company_domain=normalise_domain(domain) if domain else None,
        company_name=organization.name if organization else None,
    )


def details_of(lookup: PersonLookup) -> PersonDetails:
    return PersonDetails(
        email=lookup.email,
        first_name=lookup.first_name,
        last_name=lookup.last_name,
        domain=normalise_domain(lookup.company_domain) if lookup.company_domain else None,
        organization_name=lookup.company_name,
        linkedin_url=lookup.linkedin_url,
    )


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
