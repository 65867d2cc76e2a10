"""The emulated People database: its filter catalogue, universe people and companies in
lemlist's `PeopleSchema`/`CompaniesSchema` shapes, and how a `{filterId, in, out}` matches.

Filter ids, types and select values are lemlist's (`GET /database/filters`), limited to the ones
the sandbox can answer from the universe; `currentCompanyIndustry` is a sandbox addition (the
universe knows each company's LinkedIn industry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from salesauto.integrations.sandbox.universe import Company, Person

LEADS, COMPANIES = "leads", "companies"
SIZES = ("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+")
SENIORITY = {
    "owner": "Owner/Partner", "founder": "Owner/Partner", "partner": "Owner/Partner",
    "c_suite": "CxO", "vp": "Vice President", "head": "Director", "director": "Director",
    "manager": "Manager", "senior": "Senior", "entry": "Entry level", "intern": "in Training",
}  # fmt: skip
DEPARTMENT = {
    "sales": "Sales", "marketing": "Marketing", "engineering": "Engineering",
    "operations": "Operations", "finance": "Finance", "human resources": "Human Resources",
    "customer service": "Support", "information technology": "Information Technology",
    "product": "Product Management", "executive": "Entrepreneurship",
}  # fmt: skip
FREE_TEXT = "Use free text search (to fill the in and/or out array)"
PICK = "Select a value from the associated list of values (to fill the in and/or out array)"


@dataclass(frozen=True)
class FilterSpec:
    filter_id: str
    description: str
    modes: tuple[str, ...]
    type: str  # text | autocomplete | select
    # The company's (or the person's company's) searchable values for this filter.
    values_of: Callable[[Company], list[str]] | None = None
    person_values: Callable[[Person], list[str]] | None = None
    choices: tuple[str, ...] | None = None

    def catalogue_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "filterId": self.filter_id,
            "description": self.description,
            "mode": list(self.modes),
            "type": self.type,
            "helper": PICK if self.choices else FREE_TEXT if self.type == "text" else "",
        }
        if self.choices:
            entry["values"] = list(self.choices)
        return entry

    def values(self, item: Company | Person) -> list[str]:
        if isinstance(item, Person):
            if self.person_values is not None:
                return self.person_values(item)
            item = item.company
        return self.values_of(item) if self.values_of else []

    def matches(self, item: Company | Person, include: list[str], exclude: list[str]) -> bool:
        """Any `in` value matches (none given: all do) and no `out` value does. Select values
        compare whole; text and autocomplete values match as case-insensitive substrings."""
        have = [value.lower() for value in self.values(item)]

        def hit(wanted: str) -> bool:
            wanted = wanted.strip().lower()
            if self.choices:
                return wanted in have
            return any(wanted in value for value in have)

        if include and not any(hit(value) for value in include):
            return False
        return not any(hit(value) for value in exclude)


def country_name(company: Company) -> str:
    return company.country.title()


def industry_name(company: Company) -> str:
    return company.industry[:1].upper() + company.industry[1:]


BOTH = (LEADS, COMPANIES)
FILTERS: dict[str, FilterSpec] = {
    spec.filter_id: spec
    for spec in (
        FilterSpec("currentTitle", "Current job title", (LEADS,), "autocomplete",
                   person_values=lambda p: [p.title]),
        FilterSpec("country", "Country", (LEADS,), "autocomplete",
                   person_values=lambda p: [country_name(p.company)]),
        FilterSpec("department", "Department", (LEADS,), "select",
                   person_values=lambda p: [DEPARTMENT.get(p.department, "Other")],
                   choices=tuple(sorted(set(DEPARTMENT.values())))),
        FilterSpec("seniority", "Seniority", (LEADS,), "select",
                   person_values=lambda p: [SENIORITY.get(p.seniority, "Senior")],
                   choices=tuple(dict.fromkeys(SENIORITY.values()))),
        FilterSpec("username", "Full Name", (LEADS,), "text",
                   person_values=lambda p: [p.full_name]),
        FilterSpec("currentCompanyByIds", "Current company by _id", (LEADS,), "text",
                   values_of=lambda c: [company_id(c)]),
        FilterSpec("companiesByIds", "Companies by _id", (COMPANIES,), "text",
                   values_of=lambda c: [company_id(c)]),
        FilterSpec("currentCompany", "Company name", BOTH, "autocomplete",
                   values_of=lambda c: [c.name]),
        FilterSpec("currentCompanyWebsiteUrl", "Company Website URL", BOTH, "text",
                   values_of=lambda c: [c.website]),
        FilterSpec("currentCompanyCountry", "Company country", BOTH, "autocomplete",
                   values_of=lambda c: [country_name(c)]),
        FilterSpec("currentCompanyHeadcount", "Company size", BOTH, "select",
                   values_of=lambda c: [c.employee_range], choices=SIZES),
        FilterSpec("currentCompanyIndustry", "Company industry", BOTH, "autocomplete",
                   values_of=lambda c: [industry_name(c)]),
        FilterSpec("currentCompanyTechnologies", "Company technologies", BOTH, "autocomplete",
                   values_of=lambda c: list(c.technologies)),
        FilterSpec("keywordInCompany", "Keyword in company", BOTH, "text",
                   values_of=lambda c: [*c.keywords, c.description]),
    )
}  # fmt: skip


def company_id(company: Company) -> str:
    """lemlist's numeric company ids, as strings (the spec's example sends them so)."""
    return str(11_000_000 + company.index)


def company_row(company: Company) -> dict[str, Any]:
    return {
        "company_id": company_id(company),
        "company_name": company.name,
        "company_domain": company.domain,
        "company_website_url": company.website,
        "company_linkedin_url": company.linkedin_url,
        "company_headquarters_city": company.city.title(),
        "company_headquarters_country": country_name(company),
        "company_description": company.description,
        "company_employee_count": str(company.employees),
        "company_size": company.employee_range,
        "company_founded": str(company.founded_year),
        "company_type": "Privately Held",
        "company_industry": industry_name(company),
        "techno_used_array": list(company.technologies),
        "company_occ_lead": str(len(company.people)),
        "_id": company_id(company),
    }


def person_row(person: Person) -> dict[str, Any]:
    """A People database row: who and where, with no email (lemlist enriches those)."""
    company = person.company
    slug = person.linkedin_url.rstrip("/").rsplit("/", 1)[-1]
    location = f"{company.city.title()}, {company.region.title()}, {country_name(company)}"
    lead_id = 400_000_000 + person.index
    return {
        "lead_id": lead_id,
        "full_name": person.full_name,
        "country": country_name(company),
        "location": location,
        "state": company.region.title(),
        "headline": f"{person.title} at {company.name}",
        "department": DEPARTMENT.get(person.department, "Other"),
        "lead_linkedin_url": person.linkedin_url,
        "linkedin_short": slug,
        "current_exp_company_name": company.name,
        "experiences": [
            {
                "company_id": int(company_id(company)),
                "company_name": company.name,
                "company_domain": company.domain,
                "company_website_url": company.website,
                "company_linkedin_url": company.linkedin_url,
                "company_employee_count": company.employees,
                "company_size": company.employee_range,
                "company_industry": industry_name(company),
                "title": person.title,
                "title_normalized": person.title,
                "location": location,
                "current_exp_bucket": _tenure(person.months_in_role),
            }
        ],
        "_id": str(lead_id),
    }


def _tenure(months: int) -> str:
    for limit, label in ((6, "Less than 6 months"), (12, "6 months to 1 year"),
                         (36, "1 to 3 years"), (60, "3 to 5 years")):  # fmt: skip
        if months < limit:
            return label
    return "More than 5 years"


def free_text(item: Company | Person) -> str:
    """What `search` looks through: names, title, company and location."""
    company = item.company if isinstance(item, Person) else item
    parts = [company.name, company.domain, company.city, company.country, company.industry]
    if isinstance(item, Person):
        parts += [item.full_name, item.title]
    return " ".join(parts).lower()
