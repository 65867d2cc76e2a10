"""Writing the waterfall's answers into contacts and companies, with per-field provenance.

A person's title, phone and LinkedIn URL replace the stored ones (the latest source wins, as
in every merge); names and the company name and domain only fill what is empty (they are the
user's own record of who this is). Seniority, department, email status, location and the
provider's id go into `data`. A company's firmographics go into `companies.data`, its name
into `name`. Between providers, the first of the waterfall to give a field wins it; an empty
value never clears a stored one. Every changed field records `{"source", "at"}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.merge import (
    ContactFacts,
    later_stage,
    merged_changes,
    provenance_stamp,
)
from salesauto.contacts.repository import COMPANIES, CONTACTS, LOOKUP_CHUNK, company_ids, one_of
from salesauto.integrations.models import CompanyProfile, PersonProfile
from salesauto.models.contacts import CONTACT_STAGES
from salesauto.pipeline.enrichment_waterfall import CompanyAnswers, Subject

ENRICHED = "enriched"
BEFORE_ENRICHED = CONTACT_STAGES[: CONTACT_STAGES.index(ENRICHED)]
PERSON_FIELDS = ("title", "phone", "linkedin_url")
FILLED_FIELDS = ("first_name", "last_name", "company_name", "company_domain")
PERSON_DATA = ("seniority", "department", "city", "country")
COMPANY_DATA = (
    "industry",
    "employee_range",
    "employees",
    "revenue_range",
    "annual_revenue_usd",
    "country",
    "country_code",
    "region",
    "city",
    "founded_year",
    "description",
    "website",
    "linkedin_url",
    "naics",
    "technologies",
    "funding_total_usd",
    "funding_rounds",
    "keywords",
)
# Columns an enrichment rewrites (with their stored value when nothing changed); `status`
# moves forward in the statement itself.
WRITTEN_COLUMNS = (
    *PERSON_FIELDS,
    *FILLED_FIELDS,
    "company_id",
    "data",
    "provenance",
    "enriched_at",
    "updated_at",
)


@dataclass
class ContactWrite:
    """What enriching one contact changed: fields (`title`, `data.seniority`, company
    `company.industry`) and whether its stage moved to `enriched`."""

    changed: list[str] = field(default_factory=list)
    advanced: bool = False


async def write_enrichment(
    conn: AsyncConnection,
    owner_id: str,
    subjects: Sequence[Subject],
    companies: CompanyAnswers,
    *,
    at: datetime,
) -> dict[str, ContactWrite]:
    """Apply the answers to the stored contacts among `subjects` (an erased one is left
    out of the result) and their companies, in the caller's transaction."""
    if conn.dialect.name == "postgresql":
        # The lock imports take: an import merging the same rows meanwhile would otherwise
        # lose this write's fields, or this write the import's.
        await conn.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:owner))"), {"owner": owner_id}
        )
    known = await _stored_emails(conn, owner_id, [subject.email for subject in subjects])
    present = [subject for subject in subjects if subject.email in known]
    names: dict[str, str | None] = {}
    for subject in present:
        domain = subject.company_domain
        if domain and not names.get(domain):
            names[domain] = _company_name(companies.get(domain, {}), subject)
    # Companies before contacts: the order imports and the HubSpot sync lock them in.
    ids = await company_ids(conn, owner_id, names, at=at)
    company_changes = await _write_companies(conn, owner_id, list(ids), companies, at=at)
    stored = await _locked_contacts(conn, owner_id, [subject.email for subject in present])
    written: dict[str, ContactWrite] = {}
    updates: list[dict[str, Any]] = []
    for subject in present:
        row = stored.get(subject.email)
        if row is None:
            continue  # erased since
        domain = subject.company_domain
        final, changed = _merged_contact(
            row, subject.matches, ids.get(domain) if domain else None, at=at
        )
        stage = later_stage(row["status"], ENRICHED)
        outcome = ContactWrite(
            changed + company_changes.get(domain or "", []), stage != row["status"]
        )
        written[subject.email] = outcome
        if changed or outcome.advanced:
            final.update(enriched_at=at, updated_at=at)
            updates.append(
                {"match_email": subject.email} | {f"new_{c}": final[c] for c in WRITTEN_COLUMNS}
            )
    if updates:
        # The stage only moves forward, whatever another step made of it meanwhile.
        earlier = sa.or_(*(CONTACTS.c.status == before for before in BEFORE_ENRICHED))
        await conn.execute(
            sa.update(CONTACTS)
            .where(CONTACTS.c.owner_id == owner_id, CONTACTS.c.email == sa.bindparam("match_email"))
            .values(
                {column: sa.bindparam(f"new_{column}") for column in WRITTEN_COLUMNS}
                | {"status": sa.case((earlier, ENRICHED), else_=CONTACTS.c.status)}
            ),
            updates,
        )
    return written


def _merged_contact(
    row: dict[str, Any], matches: list[PersonProfile], company_id: int | None, *, at: datetime
) -> tuple[dict[str, Any], list[str]]:
    """The row with every provider's answer merged in waterfall order, and what changed."""
    current = dict(row)
    given: set[str] = set()
    for profile in matches:
        facts = _person_facts(row["email"], profile, given)
        changes = merged_changes(
            current, facts, source=profile.provider, at=at, company_id=company_id
        )
        if changes:
            current.update(changes)
    before = row.get("provenance") or {}
    after = current.get("provenance") or {}
    changed = sorted(name for name, stamp in after.items() if before.get(name) != stamp)
    if current.get("company_id") != row.get("company_id"):
        changed.append("company_id")
    return current, changed


def _person_facts(email: str, profile: PersonProfile, given: set[str]) -> ContactFacts:
    """What `profile` says that no provider earlier in the waterfall said (`given` grows)."""
    fields = profile.model_dump(include={*PERSON_FIELDS, *FILLED_FIELDS}, exclude_none=True)
    data: dict[str, Any] = profile.model_dump(include=set(PERSON_DATA), exclude_none=True)
    if profile.provider_id:
        data[f"{profile.provider}_id"] = profile.provider_id
    if profile.email and profile.email != email:
        # Matched by name or LinkedIn: the provider knows another address for this person.
        data["work_email"] = profile.email
    elif profile.email_status:
        data["email_status"] = profile.email_status
    facts = ContactFacts(
        email=email,
        fields={k: v for k, v in fields.items() if v and k not in given},
        data={k: v for k, v in data.items() if v not in (None, "") and f"data.{k}" not in given},
        guessed=set(FILLED_FIELDS),
    )
    given.update(facts.fields)
    given.update(f"data.{key}" for key in facts.data)
    return facts


def _company_name(answers: dict[str, CompanyProfile | None], subject: Subject) -> str | None:
    for profile in answers.values():
        if profile is not None and profile.name:
            return profile.name
    return next((p.company_name for p in subject.matches if p.company_name), None)


async def _write_companies(
    conn: AsyncConnection,
    owner_id: str,
    domains: list[str],
    companies: CompanyAnswers,
    *,
    at: datetime,
) -> dict[str, list[str]]:
    """Merge the matched firmographics into the companies; changed fields by domain."""
    answered = {
        domain: [p for p in companies.get(domain, {}).values() if p is not None]
        for domain in domains
    }
    answered = {domain: profiles for domain, profiles in answered.items() if profiles}
    if not answered:
        return {}
    stored: dict[str, dict[str, Any]] = {}
    wanted = sorted(answered)
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        rows = await conn.execute(
            sa.select(
                COMPANIES.c.domain, COMPANIES.c.name, COMPANIES.c.data, COMPANIES.c.provenance
            ).where(
                COMPANIES.c.owner_id == owner_id,
                one_of(conn, COMPANIES.c.domain, wanted[start : start + LOOKUP_CHUNK]),
            )
        )
        stored.update({row.domain: dict(row._mapping) for row in rows})
    changed: dict[str, list[str]] = {}
    updates: list[dict[str, Any]] = []
    for domain, profiles in answered.items():
        row = stored[domain]
        name, data, provenance, fields = _merged_company(row, profiles, at=at)
        if fields:
            changed[domain] = [f"company.{field_name}" for field_name in fields]
            updates.append(
                {"match_domain": domain, "new_name": name, "new_data": data}
                | {"new_provenance": provenance, "new_updated_at": at}
            )
    if updates:
        await conn.execute(
            sa.update(COMPANIES)
            .where(
                COMPANIES.c.owner_id == owner_id,
                COMPANIES.c.domain == sa.bindparam("match_domain"),
            )
            .values(
                name=sa.bindparam("new_name"),
                data=sa.bindparam("new_data"),
                provenance=sa.bindparam("new_provenance"),
                updated_at=sa.bindparam("new_updated_at"),
            ),
            updates,
        )
    return changed


def _merged_company(
    row: dict[str, Any], profiles: list[CompanyProfile], *, at: datetime
) -> tuple[str | None, dict[str, Any], dict[str, Any], list[str]]:
    """(name, data, provenance, changed fields) with `profiles` merged in waterfall order."""
    name: str | None = row.get("name")
    data = dict(row.get("data") or {})
    provenance = dict(row.get("provenance") or {})
    given: set[str] = set()
    changed: list[str] = []
    for profile in profiles:
        stamp = provenance_stamp(profile.provider, at)
        if profile.name and "name" not in given:
            given.add("name")
            if profile.name != name:
                name = profile.name
                provenance["name"] = stamp
                changed.append("name")
        values = profile.model_dump(mode="json", include=set(COMPANY_DATA))
        for key in COMPANY_DATA:
            value = values.get(key)
            if value in (None, "", [], {}) or key in given:
                continue
            given.add(key)
            if data.get(key) != value:
                data[key] = value
                provenance[f"data.{key}"] = stamp
                changed.append(f"data.{key}")
    return name, data, provenance, changed


async def _stored_emails(conn: AsyncConnection, owner_id: str, emails: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(emails), LOOKUP_CHUNK):
        found.update(
            await conn.scalars(
                sa.select(CONTACTS.c.email).where(
                    CONTACTS.c.owner_id == owner_id,
                    one_of(conn, CONTACTS.c.email, emails[start : start + LOOKUP_CHUNK]),
                )
            )
        )
    return found


async def _locked_contacts(
    conn: AsyncConnection, owner_id: str, emails: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The stored rows, locked until the caller's transaction ends: the sync and outreach
    steps write the same `status`, `data` and `provenance`, and a write merged into a row
    read before theirs committed would undo them. Locked in email order, as outreach does,
    so the two never wait on each other in a cycle. (SQLite needs no lock: its write
    transactions begin IMMEDIATE, one at a time, see `kit.db`.)"""
    wanted = sorted(emails)
    stored: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        rows = await conn.execute(
            sa.select(CONTACTS)
            .where(
                CONTACTS.c.owner_id == owner_id,
                one_of(conn, CONTACTS.c.email, wanted[start : start + LOOKUP_CHUNK]),
            )
            .order_by(CONTACTS.c.email)
            .with_for_update()
        )
        stored.update({row.email: dict(row._mapping) for row in rows})
    return stored
