"""What a discovery reads and writes: suppressed domains, the people and companies we already
know, and the new leads with their scores and their companies' firmographics.

Writes run in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from salesauto.contacts.merge import ContactFacts, provenance_stamp
from salesauto.contacts.repository import (
    COMPANIES,
    CONTACTS,
    LOOKUP_CHUNK,
    merge_contacts,
    one_of,
    stored_contacts,
)
from salesauto.discovery.scoring import LeadScore
from salesauto.integrations.models import CompanyProfile, PersonProfile
from salesauto.suppressions.repository import SUPPRESSIONS, suppressed

SOURCE = "discovery"
# `data` keys: the provider's id of a person (so a later run knows them before paying for
# their email), and the discovery job that stored the contact (so a retried job counts what
# its first attempt stored as its own).
PERSON_ID_KEYS = {"explorium": "explorium_prospect_id", "apollo": "apollo_person_id"}
JOB_KEY = "discovery_job_id"
# CompanyProfile fields kept in `companies.data` (name and domain have columns).
FIRMOGRAPHICS = (
    "industry",
    "naics",
    "employee_range",
    "employees",
    "revenue_range",
    "annual_revenue_usd",
    "country",
    "country_code",
    "region",
    "city",
    "founded_year",
    "website",
    "linkedin_url",
    "description",
    "technologies",
    "funding_total_usd",
    "funding_rounds",
    "keywords",
)


@dataclass
class KnownPerson:
    """A stored contact at a company being searched, as a discovery recognises people."""

    email: str
    linkedin_url: str | None
    provider_ids: set[str]
    job_id: int | None
    score: int | None


class KnownPeople:
    """The stored contacts at some companies, recognisable by provider id or LinkedIn URL:
    who a search returns that we already have, before paying for their email."""

    def __init__(self, people: Sequence[KnownPerson]) -> None:
        self._index: dict[str, KnownPerson] = {}
        for person in people:
            for provider_id in person.provider_ids:
                self._index[f"id:{provider_id}"] = person
            linkedin = _linkedin_key(person.linkedin_url)
            if linkedin:
                self._index[f"in:{linkedin}"] = person

    def recognise(self, person: PersonProfile) -> KnownPerson | None:
        if person.provider_id and (known := self._index.get(f"id:{person.provider_id}")):
            return known
        linkedin = _linkedin_key(person.linkedin_url)
        return self._index.get(f"in:{linkedin}") if linkedin else None


def _linkedin_key(url: str | None) -> str | None:
    if not url:
        return None
    return url.strip().lower().rstrip("/").split("://", 1)[-1].removeprefix("www.")


@dataclass
class NewLead:
    facts: ContactFacts
    score: LeadScore
    company: CompanyProfile


@dataclass
class StoreOutcome:
    stored: list[str] = field(default_factory=list)
    # Stored before: by an earlier run (existing) or by an earlier attempt of this job.
    existing: list[str] = field(default_factory=list)
    ours: list[str] = field(default_factory=list)
    suppressed: dict[str, str] = field(default_factory=dict)


def _chunks(values: Sequence[str]) -> list[Sequence[str]]:
    return [values[start : start + LOOKUP_CHUNK] for start in range(0, len(values), LOOKUP_CHUNK)]


async def suppressed_domains(
    conn: AsyncConnection, owner_id: str, domains: Sequence[str]
) -> dict[str, str]:
    """Which of these domains are suppressed → reason (checked before any email is bought)."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(domains))):
        rows = await conn.execute(
            sa.select(SUPPRESSIONS.c.value, SUPPRESSIONS.c.reason).where(
                SUPPRESSIONS.c.owner_id == owner_id,
                SUPPRESSIONS.c.kind == "domain",
                one_of(conn, SUPPRESSIONS.c.value, chunk),
            )
        )
        found.update({value: reason for value, reason in rows})
    return found


async def known_people(conn: AsyncConnection, owner_id: str, domains: Sequence[str]) -> KnownPeople:
    """The contacts stored at these company domains."""
    known: list[KnownPerson] = []
    for chunk in _chunks(sorted(set(domains))):
        rows = await conn.execute(
            sa.select(
                CONTACTS.c.email, CONTACTS.c.linkedin_url, CONTACTS.c.data, CONTACTS.c.score
            ).where(CONTACTS.c.owner_id == owner_id, one_of(conn, CONTACTS.c.company_domain, chunk))
        )
        for email, linkedin_url, data, score in rows:
            data = data or {}
            ids = {str(data[key]) for key in PERSON_ID_KEYS.values() if data.get(key)}
            job = data.get(JOB_KEY)
            known.append(
                KnownPerson(email, linkedin_url, ids, job if isinstance(job, int) else None, score)
            )
    return KnownPeople(known)


async def job_leads(conn: AsyncConnection, owner_id: str, job_id: int) -> dict[str, int | None]:
    """The contacts a discovery job stored, by any of its attempts: email → score."""
    rows = await conn.execute(
        sa.select(CONTACTS.c.email, CONTACTS.c.score).where(
            CONTACTS.c.owner_id == owner_id, CONTACTS.c.data[JOB_KEY].as_integer() == job_id
        )
    )
    return {email: score for email, score in rows}


async def stored_firmographics(
    conn: AsyncConnection, owner_id: str, domains: Sequence[str]
) -> dict[str, tuple[str | None, dict[str, Any], dict[str, Any]]]:
    """(name, data, provenance) of the stored companies among these domains."""
    found: dict[str, tuple[str | None, dict[str, Any], dict[str, Any]]] = {}
    for chunk in _chunks(sorted(set(domains))):
        rows = await conn.execute(
            sa.select(
                COMPANIES.c.domain, COMPANIES.c.name, COMPANIES.c.data, COMPANIES.c.provenance
            ).where(COMPANIES.c.owner_id == owner_id, one_of(conn, COMPANIES.c.domain, chunk))
        )
        for domain, name, data, provenance in rows:
            found[domain] = (name, data or {}, provenance or {})
    return found


async def store_leads(
    conn: AsyncConnection, owner_id: str, leads: Sequence[NewLead], *, job_id: int, at: datetime
) -> StoreOutcome:
    """Store the leads whose email is neither stored nor suppressed, with their scores, and
    their companies' firmographics (provenance: the provider that supplied them)."""
    outcome = StoreOutcome()
    emails = [lead.facts.email for lead in leads]
    outcome.suppressed = await suppressed(conn, owner_id, emails)
    stored = await stored_contacts(conn, owner_id, emails)
    fresh: list[NewLead] = []
    for lead in leads:
        email = lead.facts.email
        if email in outcome.suppressed:
            continue
        if email in stored:
            data = stored[email].get("data") or {}
            if data.get(JOB_KEY) == job_id:
                outcome.ours.append(email)
            else:
                outcome.existing.append(email)
            continue
        fresh.append(lead)
    if not fresh:
        return outcome
    await merge_contacts(conn, owner_id, [lead.facts for lead in fresh], source=SOURCE, at=at)
    await conn.execute(
        sa.update(CONTACTS)
        .where(CONTACTS.c.owner_id == owner_id, CONTACTS.c.email == sa.bindparam("match_email"))
        .values(score=sa.bindparam("new_score"), score_reasons=sa.bindparam("new_reasons")),
        [
            {
                "match_email": lead.facts.email,
                "new_score": lead.score.score,
                "new_reasons": [reason.model_dump(mode="json") for reason in lead.score.reasons],
            }
            for lead in fresh
        ],
    )
    await _store_firmographics(conn, owner_id, [lead.company for lead in fresh], at=at)
    outcome.stored = [lead.facts.email for lead in fresh]
    return outcome


def firmographics_of(company: CompanyProfile) -> dict[str, Any]:
    """The company's known firmographic fields, as JSON values."""
    dumped = company.model_dump(mode="json", include=set(FIRMOGRAPHICS))
    return {key: value for key, value in dumped.items() if value not in (None, "", [])}


async def _store_firmographics(
    conn: AsyncConnection, owner_id: str, companies: Sequence[CompanyProfile], *, at: datetime
) -> None:
    by_domain = {company.domain: company for company in companies}
    stored = await stored_firmographics(conn, owner_id, list(by_domain))
    updates: list[dict[str, Any]] = []
    for domain, (_name, data, provenance) in stored.items():
        company = by_domain[domain]
        stamp = provenance_stamp(company.provider, at)
        changed = {
            key: value for key, value in firmographics_of(company).items() if data.get(key) != value
        }
        if not changed:
            continue
        updates.append(
            {
                "match_domain": domain,
                "new_data": data | changed,
                "new_provenance": provenance | dict.fromkeys(changed, stamp),
            }
        )
    if updates:
        await conn.execute(
            sa.update(COMPANIES)
            .where(
                COMPANIES.c.owner_id == owner_id,
                COMPANIES.c.domain == sa.bindparam("match_domain"),
            )
            .values(
                data=sa.bindparam("new_data"),
                provenance=sa.bindparam("new_provenance"),
                updated_at=at,
            ),
            updates,
        )
