"""The capability interfaces the platform works through (ARCHITECTURE §4.2).

Pipelines depend on these, never on a vendor: HubSpot is a `CrmSink`, lemlist an
`OutreachProvider`, Explorium and Apollo are `DiscoveryProvider`s and `EnrichmentProvider`s.
Inputs and outputs are the typed records of `integrations.models`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from salesauto.integrations.models import (
    CompanyProfile,
    CrmCompany,
    CrmContact,
    CrmNote,
    CrmTask,
    CrmWriteOutcome,
    EnrollmentOutcome,
    IcpCriteria,
    OutreachActivity,
    OutreachLead,
    PersonLookup,
    PersonProfile,
)


@runtime_checkable
class DiscoveryProvider(Protocol):
    name: str

    async def find_companies(self, icp: IcpCriteria, *, limit: int) -> list[CompanyProfile]:
        """Companies matching the ICP's firmographic and technographic criteria."""
        ...

    async def find_people(
        self, icp: IcpCriteria, *, company_domains: list[str], limit: int
    ) -> list[PersonProfile]:
        """People at those companies matching the ICP's titles, seniorities, departments."""
        ...


@runtime_checkable
class EnrichmentProvider(Protocol):
    name: str

    async def enrich_companies(self, domains: list[str]) -> dict[str, CompanyProfile | None]:
        """Profiles by domain (any number: split into the vendor's bulk size); None = no match."""
        ...

    async def enrich_people(self, people: list[PersonLookup]) -> list[PersonProfile | None]:
        """Profiles in input order (split into the vendor's bulk size); None = no match."""
        ...


@runtime_checkable
class CrmSink(Protocol):
    name: str

    async def upsert_contacts(self, contacts: list[CrmContact]) -> list[CrmWriteOutcome]:
        """Create or update by email, any number (batches of 100); one outcome per input."""
        ...

    async def upsert_companies(self, companies: list[CrmCompany]) -> list[CrmWriteOutcome]:
        """Create or update by domain, any number; one outcome per input."""
        ...

    async def associate_contacts_with_companies(self, pairs: list[tuple[str, str]]) -> None:
        """Link (contact id, company id) pairs, batched."""
        ...

    async def create_task(self, task: CrmTask) -> str:
        """A follow-up task on the contact's timeline; returns its CRM id."""
        ...

    async def create_note(self, note: CrmNote) -> str:
        """A note on the contact's timeline; returns its CRM id."""
        ...


@runtime_checkable
class OutreachProvider(Protocol):
    name: str

    async def enroll_lead(
        self, campaign_id: str, lead: OutreachLead, *, deduplicate: bool = True
    ) -> EnrollmentOutcome:
        """Add a lead to a campaign; a lead already in a campaign is skipped, not an error."""
        ...

    async def list_activities(
        self,
        *,
        campaign_id: str | None = None,
        type: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[OutreachActivity]:
        """Engagement events, newest first."""
        ...

    async def unsubscribe(self, email_or_domain: str) -> None:
        """Never contact this address (or domain) again from this provider."""
        ...
