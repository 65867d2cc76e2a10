"""The HubSpot side of a sync: read what HubSpot has, write only what the policy lets change.

One `HubSpotSync.sync` call handles a batch of contacts (≤ 100, one upsert): their companies
by domain first (one whose HubSpot id we lack is found or created under a claim, by one job
at a time: see `crm_claims`), then the contacts by email, then the contact→company
associations HubSpot does not have yet. A record HubSpot refuses fails alone, with
HubSpot's message; a call that fails as a whole (outage, rate limit, credentials) raises,
and the caller fails the batch. Nothing is written when HubSpot already holds what the
policy would send, so a repeated sync leaves HubSpot untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from salesauto.integrations.hubspot import HubSpotAssociationFailed, HubSpotClient
from salesauto.integrations.hubspot.mapping import normalise_domain, normalise_email
from salesauto.integrations.hubspot.schemas import (
    BatchResult,
    HubSpotObject,
    ObjectInput,
    ObjectUpdate,
)
from salesauto.integrations.models import CrmContact
from salesauto.pipeline.crm_mapping import FieldMapping, OverwritePolicy, changes_to_send


@dataclass(eq=False)
class CompanySync:
    """One stored company on its way to HubSpot."""

    company_id: int
    domain: str
    values: dict[str, str]
    stored_id: str | None  # the HubSpot id we knew before this sync
    hubspot_id: str | None = None
    error: str | None = None


@dataclass(eq=False)
class ContactSync:
    """One stored contact on its way to HubSpot, and what happened to it."""

    email: str
    values: dict[str, str]
    stored_id: str | None
    company: CompanySync | None
    hubspot_id: str | None = None
    created: bool = False
    sent: list[str] = field(default_factory=list)
    linked: bool = False
    error: str | None = None
    transient: bool = False
    skipped: str | None = None  # why it was left out after all (suppressed meanwhile…)

    @property
    def wrote(self) -> bool:
        return self.created or bool(self.sent) or self.linked

    def fail(self, error: str, *, transient: bool = False) -> None:
        if self.error is None:
            self.error, self.transient = error, transient


class CompanyClaim(Protocol):
    """Companies held by one sync until it lets go (see `crm_claims`)."""

    async def stored_ids(self) -> dict[int, str]:
        """The HubSpot ids stored for the claimed companies now, by company id."""
        ...

    async def store(self, ids: dict[int, str]) -> None:
        """Store HubSpot ids (by company id) before the claim ends."""
        ...


class CompanyClaims(Protocol):
    """Where a sync claims companies before it searches or creates them in HubSpot."""

    def claim(
        self, companies: Sequence[CompanySync]
    ) -> AbstractAsyncContextManager[CompanyClaim]: ...


class HubSpotSync:
    def __init__(
        self,
        hubspot: HubSpotClient,
        mapping: FieldMapping,
        policy: OverwritePolicy,
        claims: CompanyClaims,
    ) -> None:
        self.hubspot = hubspot
        self.mapping = mapping
        self.policy = policy
        self.claims = claims

    async def sync(self, contacts: list[ContactSync]) -> None:
        """Write the contacts, their companies and associations; outcomes land on each item."""
        companies = list({id(c.company): c.company for c in contacts if c.company}.values())
        await self.sync_companies(companies)
        for contact in contacts:
            if contact.company is not None and contact.company.error is not None:
                contact.fail(contact.company.error)
        await self.sync_contacts([c for c in contacts if c.error is None])
        await self.link_companies([c for c in contacts if c.error is None])

    # Companies, by domain -------------------------------------------------------------------

    async def sync_companies(self, companies: list[CompanySync]) -> None:
        # A company an earlier batch of this job wrote is settled: not searched or compared
        # again (HubSpot's search may not show the record that batch created yet).
        pending = [c for c in companies if c.hubspot_id is None and c.error is None]
        if not pending:
            return
        existing = await self._read_companies(
            {c.domain: c.stored_id for c in pending if c.stored_id}
        )
        missing = [c for c in pending if c.domain not in existing]
        if missing:
            # Found or created by one job at a time, which stores the id before letting go.
            async with self.claims.claim(missing) as claim:
                existing.update(await self._find_companies(missing, claim))
                await self._create_companies([c for c in missing if c.domain not in existing])
                for company in missing:
                    if company.domain in existing:
                        company.hubspot_id = existing[company.domain].id
                await claim.store({c.company_id: c.hubspot_id for c in missing if c.hubspot_id})
        updates: list[tuple[CompanySync, ObjectUpdate]] = []
        for company in pending:
            record = existing.get(company.domain)
            if record is None:
                continue
            company.hubspot_id = record.id
            changes = changes_to_send(company.values, record.properties, self.policy)
            if changes:
                update = ObjectUpdate(
                    id=record.id, properties=changes, object_write_trace_id=company.domain
                )
                updates.append((company, update))
        await self._update_companies(updates)

    async def _find_companies(
        self, companies: list[CompanySync], claim: CompanyClaim
    ) -> dict[str, HubSpotObject]:
        """HubSpot's records of companies whose id we did not have (or whose record is gone),
        with the mapped properties: by the id another job stored meanwhile, else by domain."""
        stored = await claim.stored_ids()
        fresh = {
            c.domain: stored[c.company_id]
            for c in companies
            if stored.get(c.company_id) not in (None, c.stored_id)
        }
        found = await self._read_companies(fresh)
        unknown = [c.domain for c in companies if c.domain not in found]
        searched = await self.hubspot.find_companies_by_domain(unknown) if unknown else {}
        found.update(await self._read_companies(searched))
        return found

    async def _create_companies(self, creates: list[CompanySync]) -> None:
        if not creates:
            return
        created = await self.hubspot.companies.batch_create(
            [
                ObjectInput(
                    properties={**c.values, "domain": c.domain}, object_write_trace_id=c.domain
                )
                for c in creates
            ]
        )
        by_domain = {normalise_domain(r.prop("domain") or ""): r.id for r in created.results}
        refused = _refusals(created)
        for company in creates:
            company.hubspot_id = by_domain.get(company.domain)
            if company.hubspot_id is None:
                company.error = _company_error(company, refused)

    async def _update_companies(self, updates: list[tuple[CompanySync, ObjectUpdate]]) -> None:
        if not updates:
            return
        updated = await self.hubspot.companies.batch_update([u for _, u in updates])
        written = {record.id for record in updated.results}
        refused = _refusals(updated)
        for company, update in updates:
            if update.id not in written:
                company.error = _company_error(company, refused)

    async def _read_companies(self, ids: dict[str, str]) -> dict[str, HubSpotObject]:
        if not ids:
            return {}
        result = await self.hubspot.companies.batch_read(
            sorted(set(ids.values())), properties=self.mapping.company_properties
        )
        by_id = {record.id: record for record in result.results}
        return {domain: by_id[i] for domain, i in ids.items() if i in by_id}

    # Contacts, by email ---------------------------------------------------------------------

    async def sync_contacts(self, contacts: list[ContactSync]) -> None:
        if not contacts:
            return
        existing = await self.hubspot.contacts.batch_read(
            [c.email for c in contacts],
            id_property="email",
            properties=self.mapping.contact_properties,
        )
        by_email = {normalise_email(r.prop("email") or ""): r for r in existing.results}
        writes: list[tuple[ContactSync, dict[str, str]]] = []
        for contact in contacts:
            record = by_email.get(contact.email)
            if record is not None:
                contact.hubspot_id = record.id
            changes = changes_to_send(
                contact.values, record.properties if record else None, self.policy
            )
            if record is None or changes:
                writes.append((contact, changes))
        if not writes:
            return
        outcomes = await self.hubspot.upsert_contacts(
            [CrmContact(email=contact.email, properties=changes) for contact, changes in writes]
        )
        for (contact, changes), outcome in zip(writes, outcomes, strict=True):
            if outcome.error is not None or outcome.crm_id is None:
                contact.fail(f"HubSpot refused the contact: {outcome.error or 'no id returned'}")
                continue
            contact.hubspot_id = outcome.crm_id
            contact.created = outcome.created
            contact.sent = sorted(changes)

    # Associations ---------------------------------------------------------------------------

    async def link_companies(self, contacts: list[ContactSync]) -> None:
        """Associate each contact with its company unless HubSpot already has that link."""
        pairs = [
            (contact, contact.hubspot_id, contact.company.hubspot_id)
            for contact in contacts
            if contact.hubspot_id and contact.company and contact.company.hubspot_id
        ]
        known = [contact_id for contact, contact_id, _ in pairs if not contact.created]
        linked = (
            await self.hubspot.associations.batch_read("contacts", "companies", known)
            if known
            else {}
        )
        missing = [
            (contact, contact_id, company_id)
            for contact, contact_id, company_id in pairs
            if not any(a.to_object_id == company_id for a in linked.get(contact_id, []))
        ]
        if not missing:
            return
        try:
            await self.hubspot.associate_contacts_with_companies(
                [(contact_id, company_id) for _, contact_id, company_id in missing]
            )
        except HubSpotAssociationFailed as error:
            refused = {
                object_id
                for batch_error in error.errors
                for object_id in batch_error.context.get("fromObjectId", [])
            }
            for contact, contact_id, _ in missing:
                # Without per-input context HubSpot did not say which: none count as linked.
                if contact_id in refused or not refused:
                    contact.fail(f"HubSpot refused to link it to its company: {error.message}")
        for contact, _, _ in missing:
            contact.linked = contact.error is None


def _refusals(result: BatchResult[HubSpotObject]) -> dict[str, str]:
    """HubSpot's message per refused input, by the trace id each input carried."""
    return {
        trace: error.message
        for error in result.errors
        for trace in error.context.get("objectWriteTraceId", [])
    }


def _company_error(company: CompanySync, refused: dict[str, str]) -> str:
    reason = refused.get(company.domain, "HubSpot returned no record for it")
    return f"HubSpot refused its company {company.domain}: {reason}"
