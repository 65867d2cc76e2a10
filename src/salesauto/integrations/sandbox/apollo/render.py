"""Universe records in Apollo's response shapes."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from salesauto.integrations.sandbox.universe import REFERENCE_DAY, Company, Person

TECH_CATEGORY_NAMES = {
    "crm": "CRM",
    "marketing": "Marketing Automation",
    "cloud": "Hosting",
    "dev": "Development Tools",
    "analytics": "Analytics and Tracking",
    "support": "Customer Support",
    "collaboration": "Collaboration",
    "ecommerce": "E-commerce",
    "security": "Security",
    "hr": "Human Resources",
    "erp": "Accounting and Finance",
}
DEPARTMENTS = {
    "executive": "c_suite",
    "sales": "master_sales",
    "marketing": "master_marketing",
    "engineering": "master_engineering_technical",
    "operations": "master_operations",
    "finance": "master_finance",
    "human resources": "master_human_resources",
    "customer service": "master_support",
    "information technology": "master_information_technology",
    "product": "master_product_management",
}
# Universe statuses → Apollo's `email_status` / `contact_email_status` vocabulary.
EMAIL_STATUS = {
    "verified": "verified",
    "unverified": "unverified",
    "catch-all": "likely to engage",
    "invalid": "unavailable",
}


def technology_uid(name: str) -> str:
    """Apollo's technology uid: the name in lower snake case (`Amazon Web Services` →
    `amazon_web_services`)."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def printed(amount: int) -> str:
    """Apollo's `*_printed` money format: `3.6M`, `250K`, `1.2B`."""
    for bound, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if amount >= bound:
            return f"{amount / bound:.1f}".rstrip("0").rstrip(".") + suffix
    return str(amount)


def _moment(day: date) -> str:
    return f"{day.isoformat()}T00:00:00.000+00:00"


def organization(company: Company) -> dict[str, Any]:
    """`organizations/enrich`'s `organization` object."""
    latest = company.funding[-1] if company.funding else None
    return {
        "id": company.apollo_id,
        "name": company.name,
        "website_url": f"http://www.{company.domain}",
        "linkedin_url": company.linkedin_url.replace("https://", "http://"),
        "primary_domain": company.domain,
        "founded_year": company.founded_year,
        "industry": company.industry,
        "industries": [company.industry],
        "keywords": list(company.keywords),
        "estimated_num_employees": company.employees,
        "annual_revenue": company.annual_revenue_usd,
        "annual_revenue_printed": printed(company.annual_revenue_usd),
        "total_funding": company.funding_total_usd or None,
        "total_funding_printed": printed(company.funding_total_usd) if latest else None,
        "latest_funding_stage": latest.stage if latest else None,
        "latest_funding_round_date": _moment(latest.day) if latest else None,
        "funding_events": [
            {
                "id": f"{company.apollo_id}-{number}",
                "date": _moment(round_.day),
                "type": round_.stage,
                "investors": ", ".join(round_.investors),
                "amount": printed(round_.amount_usd),
                "currency": "$",
                "news_url": None,
            }
            for number, round_ in reversed(list(enumerate(company.funding)))
        ],
        "technology_names": list(company.technologies),
        "current_technologies": [
            {"uid": technology_uid(tool), "name": tool, "category": TECH_CATEGORY_NAMES[category]}
            for category, tools in company.tech_categories.items()
            for tool in tools
        ],
        "city": company.city.title(),
        "state": company.region.title(),
        "country": company.country.title(),
        "raw_address": f"{company.city.title()}, {company.region.title()}, "
        f"{company.country.title()}",
        "short_description": company.description,
        "phone": company.phone,
        "primary_phone": {"number": company.phone, "source": "Account"},
    }


def _obfuscated(last_name: str) -> str:
    if len(last_name) <= 2:
        return last_name[0] + "***"
    return f"{last_name[:2]}***{last_name[-1]}"


def search_person(person: Person) -> dict[str, Any]:
    """A `mixed_people/api_search` row: obfuscated last name, `has_*` flags, no contact data."""
    company = person.company
    return {
        "id": person.apollo_id,
        "first_name": person.first_name,
        "last_name_obfuscated": _obfuscated(person.last_name),
        "title": person.title,
        "last_refreshed_at": f"{REFERENCE_DAY.isoformat()}T00:00:00.000+00:00",
        "has_email": person.email_status != "invalid",
        "has_city": True,
        "has_state": True,
        "has_country": True,
        "has_direct_phone": "Yes" if person.phone else "No",
        "organization": {
            "name": company.name,
            "has_industry": True,
            "has_phone": True,
            "has_city": True,
            "has_state": True,
            "has_country": True,
            "has_zip_code": False,
            "has_revenue": True,
            "has_employee_count": True,
        },
    }


def _months_before(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    return date(total // 12, total % 12 + 1, 1)


def matched_person(person: Person) -> dict[str, Any]:
    """`people/match`'s `person` object (work email; phones arrive by webhook, never here)."""
    company = person.company
    status = EMAIL_STATUS[person.email_status]
    return {
        "id": person.apollo_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "name": person.full_name,
        "linkedin_url": person.linkedin_url.replace("https://www.", "http://www."),
        "title": person.title,
        "headline": f"{person.title} at {company.name}",
        "email_status": status,
        "email": person.email if status != "unavailable" else None,
        "photo_url": None,
        "organization_id": company.apollo_id,
        "employment_history": [
            {
                "organization_name": company.name,
                "organization_id": company.apollo_id,
                "title": person.title,
                "current": True,
                "start_date": _months_before(REFERENCE_DAY, person.months_in_role).isoformat(),
                "end_date": None,
            }
        ],
        "city": company.city.title(),
        "state": company.region.title(),
        "country": company.country.title(),
        "organization": organization(company),
        "departments": [DEPARTMENTS.get(person.department, f"master_{person.department}")],
        "subdepartments": [],
        "seniority": person.seniority,
        "functions": [],
    }
