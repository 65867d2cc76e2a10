"""The providers a discovery searches, behind one small interface, counting what it buys.

Companies and people come through the `DiscoveryProvider` capability. Two steps need a
vendor's own calls: revealing the email of a person a search returned (Explorium sells contact
details by prospect id, Apollo by a match on its person id: both exact, neither guesses by
name), and hiring events, which only Explorium has.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from salesauto.discovery.filters import HIRING_EVENTS, with_country_code
from salesauto.integrations.apollo.mapping import person_from_match
from salesauto.integrations.apollo.schemas import PersonDetails
from salesauto.integrations.capabilities import DiscoveryProvider, EnrichmentProvider
from salesauto.integrations.explorium.mapping import EMAIL_STATUSES
from salesauto.integrations.explorium.schemas import BusinessToMatch
from salesauto.integrations.models import BusinessEvent, CompanyProfile, IcpCriteria, PersonProfile
from salesauto.integrations.registry import Integrations, ProviderNotConfigured


def _filled(base: CompanyProfile, richer: CompanyProfile) -> CompanyProfile:
    """`base` with every field `richer` knows (the provider's enrichment of a search row)."""
    known = {
        key: value
        for key, value in richer.model_dump().items()
        if value not in (None, "", []) and key != "domain"
    }
    return CompanyProfile.model_validate(base.model_dump() | known)


def completed(company: CompanyProfile, richer: CompanyProfile | None) -> CompanyProfile:
    """The search row with what the provider's enrichment of it knows (None: nothing)."""
    return with_country_code(_filled(company, richer)) if richer is not None else company


class LeadSources:
    """Discovery and email reveal per provider; `credits` counts the records each one bills
    for, as we can count them (fetched businesses and prospects, enrichments, emails)."""

    def __init__(self, integrations: Integrations) -> None:
        self.integrations = integrations
        self.credits: Counter[str] = Counter()
        self.emails_bought: Counter[str] = Counter()

    def _client(self, name: str) -> Any:
        return getattr(self.integrations, name)

    def available(self, name: str) -> bool:
        try:
            self._client(name)
        except ProviderNotConfigured:
            return False
        return True

    async def find_companies(
        self, name: str, criteria: IcpCriteria, *, limit: int
    ) -> list[CompanyProfile]:
        provider: DiscoveryProvider = self._client(name)
        found = await provider.find_companies(criteria, limit=limit)
        if name == "explorium":
            self.credits[name] += len(found)
        return [with_country_code(company) for company in found if company.domain]

    async def enrich_companies(
        self, name: str, domains: Sequence[str]
    ) -> dict[str, CompanyProfile | None]:
        """The firmographics a search row lacks (an Explorium fetch row has no industry,
        technologies or funding) per domain, bought from the provider that found them (None:
        it has none). The answers are those of the enrichment step's company lookups."""
        if not domains:
            return {}
        provider: EnrichmentProvider = self._client(name)
        enriched = await provider.enrich_companies(list(domains))
        if name == "explorium":
            # One credit per enrichment found: firmographics, technographics, funding.
            self.credits[name] += 3 * sum(1 for found in enriched.values() if found)
        else:
            self.credits[name] += sum(1 for found in enriched.values() if found)
        return {domain: enriched.get(domain) for domain in domains}

    async def hiring_events(
        self, companies: Sequence[CompanyProfile], since: datetime
    ) -> dict[str, list[BusinessEvent]] | None:
        """Hiring events since `since` per company domain (None: Explorium is not configured,
        so hiring cannot be known)."""
        if not self.available("explorium"):
            return None
        explorium = self.integrations.explorium
        domain_of = {
            company.provider_id: company.domain
            for company in companies
            if company.provider == "explorium" and company.provider_id
        }
        others = [c.domain for c in companies if c.domain not in domain_of.values()]
        if others:
            matched = await explorium.match_businesses([BusinessToMatch(domain=d) for d in others])
            domain_of.update(
                {m.business_id: d for d, m in zip(others, matched, strict=True) if m.business_id}
            )
        by_domain: dict[str, list[BusinessEvent]] = {company.domain: [] for company in companies}
        if not domain_of:
            return by_domain
        events = await explorium.business_events(
            list(domain_of), list(HIRING_EVENTS), timestamp_from=since
        )
        for event in events:
            domain = domain_of.get(event.provider_company_id or "")
            if domain is not None:
                by_domain[domain].append(event)
        return by_domain

    async def find_people(
        self, name: str, criteria: IcpCriteria, *, domains: list[str], limit: int
    ) -> list[PersonProfile]:
        provider: DiscoveryProvider = self._client(name)
        people = await provider.find_people(criteria, company_domains=domains, limit=limit)
        if name == "explorium":
            self.credits[name] += len(people)
        return people

    async def reveal(
        self, name: str, people: Sequence[PersonProfile]
    ) -> list[PersonProfile | None]:
        """The people with their work email (None: the provider has none for them)."""
        if not people:
            return []
        if name == "explorium":
            revealed = await self._explorium_emails(people)
        else:
            revealed = await self._apollo_emails(people)
        found = sum(1 for person in revealed if person is not None)
        self.credits[name] += found
        self.emails_bought[name] += found
        return revealed

    async def _explorium_emails(
        self, people: Sequence[PersonProfile]
    ) -> list[PersonProfile | None]:
        ids = [person.provider_id for person in people if person.provider_id]
        details = await self.integrations.explorium.bulk_contact_information(ids)
        revealed: list[PersonProfile | None] = []
        for person in people:
            info = details.get(person.provider_id or "")
            if info is None or not info.email:
                revealed.append(None)
                continue
            revealed.append(
                person.model_copy(
                    update={
                        "email": info.email.strip().lower(),
                        "email_status": EMAIL_STATUSES.get(info.professional_email_status or ""),
                        "phone": info.phone or person.phone,
                    }
                )
            )
        return revealed

    async def _apollo_emails(self, people: Sequence[PersonProfile]) -> list[PersonProfile | None]:
        # Search rows always carry Apollo's person id; the match on it is exact.
        matches = await self.integrations.apollo.bulk_match_people(
            [PersonDetails(id=person.provider_id) for person in people]
        )
        revealed: list[PersonProfile | None] = []
        for person, match in zip(people, matches, strict=True):
            if match is None or not match.email:
                revealed.append(None)
                continue
            full = person_from_match(match)
            # The search named the company we asked about: keep it over the match's guess.
            revealed.append(
                full.model_copy(
                    update={
                        "company_domain": person.company_domain or full.company_domain,
                        "title": full.title or person.title,
                        "seniority": full.seniority or person.seniority,
                    }
                )
            )
        return revealed
