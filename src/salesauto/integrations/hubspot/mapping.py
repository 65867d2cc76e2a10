"""Platform records (`CrmContact`, `CrmCompany`, tasks, notes) as HubSpot properties."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from salesauto.integrations.hubspot.schemas import PropertyValues
from salesauto.integrations.models import CrmCompany, CrmContact, CrmNote, CrmTask

# HubSpot's `industry` is an enumeration of codes such as COMPUTER_SOFTWARE; free text like
# "software development" would be refused, so only code-shaped values are sent there.
INDUSTRY_CODE = re.compile(r"^[A-Z][A-Z0-9_]+$")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_domain(domain: str) -> str:
    """`https://www.Acme.com/about` → `acme.com`: the key companies are matched on."""
    text = domain.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    return text.removeprefix("www.").rstrip(".")


def hubspot_timestamp(moment: datetime) -> str:
    """ISO-8601 with milliseconds and `Z`; a naive datetime is taken as UTC."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    aware = aware.astimezone(UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%S.") + f"{aware.microsecond // 1000:03d}Z"


def _without_empty(values: dict[str, str | None]) -> PropertyValues:
    return {name: value for name, value in values.items() if value is not None}


def contact_properties(contact: CrmContact) -> PropertyValues:
    standard = _without_empty(
        {
            "email": normalise_email(contact.email),
            "firstname": contact.first_name,
            "lastname": contact.last_name,
            "jobtitle": contact.job_title,
            "company": contact.company_name,
            "website": normalise_domain(contact.company_domain) if contact.company_domain else None,
            "phone": contact.phone,
        }
    )
    # Extra CRM fields may add to, but never replace, the identity.
    return {**contact.properties, **standard}


def company_properties(company: CrmCompany) -> PropertyValues:
    industry = (
        company.industry if company.industry and INDUSTRY_CODE.match(company.industry) else None
    )
    standard = _without_empty(
        {
            "domain": normalise_domain(company.domain),
            "name": company.name,
            "industry": industry,
            "numberofemployees": str(company.employees) if company.employees is not None else None,
            "annualrevenue": (
                str(company.annual_revenue_usd) if company.annual_revenue_usd is not None else None
            ),
            "country": company.country,
            "city": company.city,
        }
    )
    return {**company.properties, **standard}


def task_properties(task: CrmTask) -> PropertyValues:
    return _without_empty(
        {
            "hs_timestamp": hubspot_timestamp(task.due_at),
            "hs_task_subject": task.subject,
            "hs_task_body": task.body,
            "hs_task_status": "NOT_STARTED",
            "hs_task_priority": task.priority,
            "hs_task_type": task.task_type,
            "hubspot_owner_id": task.owner_id,
        }
    )


def note_properties(note: CrmNote) -> PropertyValues:
    return _without_empty(
        {
            "hs_timestamp": hubspot_timestamp(note.at),
            "hs_note_body": note.body,
            "hubspot_owner_id": note.owner_id,
        }
    )
