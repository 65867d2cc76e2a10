"""Universe records in Explorium's v1 response shapes (fetch rows and enrichment outputs)."""

from __future__ import annotations

from typing import Any

from salesauto.integrations.sandbox.explorium.insights import prospect_linkedin_posts
from salesauto.integrations.sandbox.universe import Company, CompanyEvent, Person
from salesauto.integrations.sandbox.vocabulary_people import EXPLORIUM_JOB_LEVEL

# Universe technology categories → Explorium's technographics category arrays.
TECH_CATEGORIES = {
    "crm": "sales",
    "marketing": "marketing",
    "cloud": "platform_and_storage",
    "dev": "devops_and_development",
    "analytics": "bi_and_analytics",
    "support": "customer_management",
    "collaboration": "collaboration",
    "ecommerce": "e_commerce",
    "security": "it_security",
    "hr": "human_resources",
    "erp": "finance_and_accounting",
}
# The 23 category arrays of `TechnographicsOutputSchema`; absent ones come back empty.
TECHNOGRAPHICS_ARRAYS = (
    "sales",
    "marketing",
    "customer_management",
    "devops_and_development",
    "bi_and_analytics",
    "it_security",
    "platform_and_storage",
    "collaboration",
    "e_commerce",
    "human_resources",
    "finance_and_accounting",
    "communications",
    "computer_networks",
    "health_tech",
    "hardware",
    "it_management",
    "operations_management",
    "product_and_design",
    "productivity_and_operations",
    "programming_languages_and_frameworks",
    "testing_and_qa",
    "operations_software",
    "other",
)
# Explorium's prospect email statuses; "unverified" has no counterpart, so it is left null.
EMAIL_STATUS = {"verified": "valid", "catch-all": "catch-all", "invalid": "invalid"}


def tech_category(universe_category: str) -> str:
    return TECH_CATEGORIES.get(universe_category, "other")


def _logo(company: Company) -> str:
    return f"https://logo.sandbox.explorium.invalid/{company.domain}.png"


def business_row(company: Company, *, preview: bool) -> dict[str, Any]:
    """A `POST /v1/businesses` result row; preview mode returns the free subset."""
    row: dict[str, Any] = {
        "business_id": company.business_id,
        "name": company.name,
        "domain": company.domain,
        "logo": _logo(company),
        "country_name": company.country,
        "number_of_employees_range": company.employee_range,
        "yearly_revenue_range": company.revenue_range,
    }
    if preview:
        return row
    row.update(
        city_name=company.city,
        region=company.region,
        website=company.website,
        business_description=company.description,
        naics=int(company.naics),
        naics_description=company.industry.title(),
        sic_code=None,
        events=[],
        business_intent_topics=[],
    )
    return row


def firmographics(company: Company) -> dict[str, Any]:
    return {
        "business_id": company.business_id,
        "name": company.name,
        "business_description": company.description,
        "website": company.website,
        "country_name": company.country,
        "region_name": company.region,
        "city_name": company.city,
        "street": None,
        "zip_code": None,
        "naics": company.naics,
        "naics_description": company.industry.title(),
        "sic_code": None,
        "sic_code_description": None,
        "ticker": None,
        "number_of_employees_range": company.employee_range,
        "yearly_revenue_range": company.revenue_range,
        "linkedin_industry_category": company.industry,
        "linkedin_profile": company.linkedin_url,
        "business_logo": _logo(company),
        "locations_distribution": [{"country": company.country, "locations": 1}],
    }


def technographics(company: Company) -> dict[str, Any]:
    data: dict[str, Any] = {name: [] for name in TECHNOGRAPHICS_ARRAYS}
    nested: list[dict[str, Any]] = []
    for category, tools in company.tech_categories.items():
        target = tech_category(category)
        data[target] = [*data[target], *tools]
        nested.append({"category": target, "technologies": list(tools)})
    data["full_tech_stack"] = list(company.technologies)
    data["full_nested_tech_stack"] = nested
    return data


def funding_and_acquisition(company: Company) -> dict[str, Any]:
    rounds = company.funding
    first = rounds[0] if rounds else None
    last = rounds[-1] if rounds else None
    investors = sorted({name for round_ in rounds for name in round_.investors})
    return {
        "domain": company.domain,
        "company_name": company.name,
        "investors": investors,
        "number_of_funding_rounds": len(rounds),
        "first_funding_round_type": first.stage if first else None,
        "first_funding_round_date": first.day.isoformat() if first else None,
        "first_funding_round_value_usd": first.amount_usd if first else None,
        "last_funding_round_type": last.stage if last else None,
        "last_funding_round_date": last.day.isoformat() if last else None,
        "last_funding_round_value_usd": last.amount_usd if last else None,
        "known_funding_total_value": company.funding_total_usd if rounds else None,
        "is_ipo": False,
        "ipo_date": None,
        "ipo_size_usd": None,
        "acquired_by": None,
        "funding_rounds_info": [
            {
                "round_type": round_.stage,
                "round_date": round_.day.isoformat(),
                "round_value_usd": round_.amount_usd,
                "investors": list(round_.investors),
            }
            for round_ in rounds
        ],
        "current_advisors": [],
    }


BUSINESS_ENRICHMENTS = {
    "firmographics": firmographics,
    "technographics": technographics,
    "funding_and_acquisition": funding_and_acquisition,
}


def prospect_row(person: Person) -> dict[str, Any]:
    """A `POST /v1/prospects` result row (no contact details: those cost an enrichment)."""
    company = person.company
    return {
        "prospect_id": person.prospect_id,
        "full_name": person.full_name,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "country_name": company.country,
        "region_name": company.region,
        "city": company.city,
        "linkedin": person.linkedin_url,
        "job_title": person.title,
        "job_department": person.department,
        "job_seniority_level": [EXPLORIUM_JOB_LEVEL[person.seniority]],
        "business_id": company.business_id,
        "company_name": company.name,
        "company_website": company.website,
        "company_linkedin": company.linkedin_url,
    }


def prospect_profile(person: Person) -> dict[str, Any]:
    row = prospect_row(person)
    row["experience"] = [
        {
            "company": {"name": person.company.name, "website": person.company.website},
            "title": {"name": person.title},
            "is_primary": True,
            "months_in_role": person.months_in_role,
        }
    ]
    return row


def contacts_information(person: Person) -> dict[str, Any]:
    phones = [{"phone_number": person.phone}] if person.phone else []
    return {
        "emails": [{"address": person.email, "type": "professional"}],
        "professions_email": person.email,
        "professional_email_status": EMAIL_STATUS.get(person.email_status),
        "phone_numbers": phones,
        "mobile_phone": person.phone,
    }


PROSPECT_ENRICHMENTS = {
    "contacts_information": contacts_information,
    "profiles": prospect_profile,
    "linkedin_posts": prospect_linkedin_posts,
}


def business_event(company: Company, event: CompanyEvent) -> dict[str, Any]:
    return {
        "event_name": event.type,
        "event_time": f"{event.day.isoformat()}T00:00:00+00:00",
        "event_id": event.event_id,
        "business_id": company.business_id,
        "data": {"event_name": event.type, **event.data},
    }
