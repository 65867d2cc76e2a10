"""Importing contacts from a provider: a lemlist campaign's leads, a HubSpot search or the
members of a HubSpot list.

Same merge rules as a CSV import; the source recorded on each field is `lemlist` or `hubspot`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing

from sqlalchemy.ext.asyncio import AsyncEngine

from salesauto.contacts.merge import ContactFacts
from salesauto.contacts.repository import merge_contacts
from salesauto.imports.cells import (
    company_domain_for,
    email_problem,
    normalise_email,
)
from salesauto.imports.schemas import ImportSummary
from salesauto.integrations.hubspot import HubSpotClient
from salesauto.integrations.hubspot.objects import BATCH_LIMIT
from salesauto.integrations.hubspot.schemas import HubSpotObject, SearchRequest
from salesauto.integrations.lemlist import LemlistClient
from salesauto.kit.time import utcnow
from salesauto.suppressions.repository import suppressed

BATCH = 500
# lemlist's campaign leads endpoint returns at most 500 and has no paging.
LEMLIST_MAX_LEADS = 500
TRUNCATED = "__truncated__"
HUBSPOT_PROPERTIES = [
    "email",
    "firstname",
    "lastname",
    "jobtitle",
    "company",
    "phone",
    "website",
    "city",
    "country",
    "industry",
    "hs_object_id",
    "lifecyclestage",
]
Progress = Callable[[int], Awaitable[None]]


def facts_from(
    email: str | None, fields: dict[str, str | None], data: dict[str, object]
) -> ContactFacts | str:
    """Provider fields → contact facts, or why the record cannot be a contact."""
    address = normalise_email(email) if email else None
    if address is None:
        return "no email address"
    problem = email_problem(address)
    if problem is not None:
        return problem
    clean = {
        name: value.replace("\x00", "").strip()
        for name, value in fields.items()
        if value and value.replace("\x00", "").strip()
    }
    domain, from_email = company_domain_for(clean.pop("company_domain", None), address)
    guessed = {"company_domain"} if from_email else set()
    if domain:
        clean["company_domain"] = domain
    return ContactFacts(
        email=address,
        fields=clean,
        data={k: v for k, v in data.items() if v not in (None, "")},
        guessed=guessed,
    )


async def merge_records(
    engine: AsyncEngine,
    owner_id: str,
    records: AsyncIterator[tuple[str, ContactFacts | str]],
    summary: ImportSummary,
    progress: Progress | None,
) -> ImportSummary:
    """Merge provider records (id, facts or rejection reason) in batches into the summary."""
    batch: dict[str, ContactFacts] = {}

    async def flush() -> None:
        if not batch:
            return
        async with engine.begin() as conn:
            counts = await merge_contacts(
                conn, owner_id, list(batch.values()), source=summary.source, at=utcnow()
            )
            blocked = await suppressed(conn, owner_id, batch.keys())
        summary.created += counts.created
        summary.erased += counts.erased
        summary.updated += counts.updated
        summary.unchanged += counts.unchanged
        summary.suppressed += len(blocked)
        batch.clear()
        if progress is not None:
            await progress(summary.rows_read)

    async for position, facts in records:
        if facts == TRUNCATED:
            summary.truncated = (
                "the source holds more than this import could read (lemlist lists 500 leads "
                "per campaign; a HubSpot import stops at maxContacts, 10,000 at most): "
                "narrow the search, split the list or import in parts"
            )
            continue
        summary.rows_read += 1
        if isinstance(facts, str):
            summary.reject(summary.rows_read, None, f"{position}: {facts}")
            continue
        if facts.email in batch:
            summary.duplicates += 1
            batch[facts.email].absorb(facts)
            continue
        batch[facts.email] = facts
        if len(batch) >= BATCH:
            await flush()
    await flush()
    return summary


async def lemlist_campaign_leads(
    lemlist: LemlistClient, campaign_id: str, *, state: str | None
) -> AsyncIterator[tuple[str, ContactFacts | str]]:
    """The campaign's leads with their details (lemlist lists ids; each lead is then read)."""
    refs = await lemlist.list_campaign_leads(campaign_id, state=state, limit=LEMLIST_MAX_LEADS)
    if len(refs) >= LEMLIST_MAX_LEADS:
        yield "", TRUNCATED
    for ref in refs:
        lead = await lemlist.find_lead(lead_id=ref.id)
        if lead is None:
            yield ref.id, "the lead no longer exists in lemlist"
            continue
        yield (
            ref.id,
            facts_from(
                lead.email,
                {
                    "first_name": lead.first_name,
                    "last_name": lead.last_name,
                    "title": lead.job_title,
                    "company_name": lead.company_name,
                    "company_domain": lead.company_domain,
                    "lemlist_lead_id": lead.id,
                },
                {"lemlist_campaign_id": lead.campaign_id},
            ),
        )


async def hubspot_contacts(
    hubspot: HubSpotClient, request: SearchRequest, *, limit: int
) -> AsyncIterator[tuple[str, ContactFacts | str]]:
    """Contacts matching a HubSpot search (all contacts when it has no filters)."""
    request = request.model_copy(update={"properties": HUBSPOT_PROPERTIES, "limit": 200})
    seen = 0
    async for record in hubspot.contacts.search_all(request, truncate=True):
        if seen >= limit:
            yield "", TRUNCATED
            return
        seen += 1
        yield record.id, hubspot_contact_facts(record)


async def hubspot_list_contacts(
    hubspot: HubSpotClient, list_id: str, *, limit: int
) -> AsyncIterator[tuple[str, ContactFacts | str]]:
    """The contacts of a HubSpot list: its members page by page (250 per call), each 100
    of them then read in one batch call."""
    pending: list[str] = []
    seen = 0
    async with aclosing(hubspot.lists.iter_list_members(list_id)) as members:
        async for member in members:
            if seen >= limit:
                yield "", TRUNCATED
                break
            seen += 1
            pending.append(member.record_id)
            if len(pending) == BATCH_LIMIT:
                async for item in _read_contacts(hubspot, pending):
                    yield item
                pending = []
    async for item in _read_contacts(hubspot, pending):
        yield item


async def _read_contacts(
    hubspot: HubSpotClient, ids: list[str]
) -> AsyncIterator[tuple[str, ContactFacts | str]]:
    """The contacts of `ids` in their order; one gone since it was listed is rejected."""
    if not ids:
        return
    batch = await hubspot.contacts.batch_read(ids, properties=HUBSPOT_PROPERTIES)
    found = {record.id: record for record in batch.results}
    for contact_id in ids:
        record = found.get(contact_id)
        if record is None:
            yield contact_id, "the contact is in the list but no longer exists in HubSpot"
        else:
            yield contact_id, hubspot_contact_facts(record)


def hubspot_contact_facts(record: HubSpotObject) -> ContactFacts | str:
    """A HubSpot contact → contact facts (its HubSpot id kept), or why it cannot be one."""
    props = record.properties
    return facts_from(
        props.get("email"),
        {
            "first_name": props.get("firstname"),
            "last_name": props.get("lastname"),
            "title": props.get("jobtitle"),
            "company_name": props.get("company"),
            "phone": props.get("phone"),
            "company_domain": props.get("website"),
            "hubspot_id": record.id,
        },
        {
            "city": props.get("city"),
            "country": props.get("country"),
            "industry": props.get("industry"),
            "lifecyclestage": props.get("lifecyclestage"),
        },
    )
