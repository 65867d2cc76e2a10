"""A stored contact as a lemlist lead: its fields, and the personalisation variables it carries.

A lead's `{{variables}}` come from three places, the first winning: the contact's own fields
(firstName, companyName…), the request's static variables (so a request's `companyName` is
only a default), then the contact's extra `data` values that read as text. Data is filtered:
only non-empty strings under a usable name (a letter first, no braces) — a CSV's `_extra_7`
column, a nested enrichment document or a long note would only clutter every lead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.repository import COMPANIES
from salesauto.integrations.models import OutreachLead

# lemlist's own lead fields; a variable of the same name would be ignored or shadow them.
STANDARD_FIELDS = frozenset(
    {
        "email", "firstName", "lastName", "companyName", "companyDomain", "jobTitle",
        "linkedinUrl", "phone", "icebreaker", "picture", "timezone", "contactOwner",
    }
)  # fmt: skip
VARIABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_ .\-]{0,63}$")
DATA_VALUE_MAX = 300
REQUEST_VALUE_MAX = 2000
REQUEST_VARIABLES_MAX = 50


def variable_name_problem(name: str) -> str | None:
    """Why `name` cannot be a lead variable, or None. A lemlist field name (`companyName`)
    is allowed: it fills that field for contacts that have no value of their own."""
    if name == "email":
        return "'email' is the lead itself, not a variable"
    if not VARIABLE_NAME.match(name):
        return (
            f"{name!r} is not a usable variable name: start with a letter, then at most 63 "
            "letters, digits, spaces, dots, dashes or underscores"
        )
    return None


def data_variables(data: dict[str, Any] | None) -> dict[str, str]:
    """The contact's extra data that can personalise a sequence."""
    chosen: dict[str, str] = {}
    for key, value in (data or {}).items():
        if not isinstance(value, str) or key in STANDARD_FIELDS or variable_name_problem(key):
            continue
        text = value.strip()
        if text and len(text) <= DATA_VALUE_MAX:
            chosen[key] = text
    return chosen


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def outreach_lead(
    contact: dict[str, Any], company_name: str | None, request_variables: dict[str, str]
) -> OutreachLead:
    """The lead for a stored contact row; `company_name` fills in when the contact has none."""
    return OutreachLead(
        email=contact["email"],
        first_name=_text(contact.get("first_name")),
        last_name=_text(contact.get("last_name")),
        company_name=_text(contact.get("company_name")) or company_name,
        company_domain=_text(contact.get("company_domain")),
        job_title=_text(contact.get("title")),
        linkedin_url=_text(contact.get("linkedin_url")),
        phone=_text(contact.get("phone")),
        variables={**data_variables(contact.get("data")), **request_variables},
    )


def lead_variables(lead: OutreachLead) -> dict[str, str]:
    """Every variable the lead is sent with, as lemlist stores them (fields over variables)."""
    standard = {
        "firstName": lead.first_name,
        "lastName": lead.last_name,
        "companyName": lead.company_name,
        "companyDomain": lead.company_domain,
        "jobTitle": lead.job_title,
        "linkedinUrl": lead.linkedin_url,
        "phone": lead.phone,
    }
    return {**lead.variables, **{k: v for k, v in standard.items() if v is not None}}


async def company_names(
    conn: AsyncConnection, owner_id: str, contacts: Iterable[dict[str, Any]]
) -> dict[int, str]:
    """Names of the linked companies of contacts that have no company name of their own."""
    wanted = sorted(
        {
            contact["company_id"]
            for contact in contacts
            if contact.get("company_id") is not None and not _text(contact.get("company_name"))
        }
    )
    names: dict[int, str] = {}
    for start in range(0, len(wanted), 1000):
        rows = await conn.execute(
            sa.select(COMPANIES.c.id, COMPANIES.c.name).where(
                COMPANIES.c.owner_id == owner_id, COMPANIES.c.id.in_(wanted[start : start + 1000])
            )
        )
        names.update({row.id: row.name for row in rows if _text(row.name)})
    return names
