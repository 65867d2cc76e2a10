"""`ExploriumClient`: the Discovery and Enrichment capabilities over Explorium's typed API
(`api.py`): find companies and people for an ICP, enrich companies and people."""

from __future__ import annotations

from salesauto.integrations.explorium import mapping
from salesauto.integrations.explorium.api import BULK_LIMIT, EVENTS_LIMIT, PAGE_SIZE, ExploriumApi
from salesauto.integrations.explorium.schemas import BusinessToMatch, Prospect, ProspectToMatch
from salesauto.integrations.models import CompanyProfile, IcpCriteria, PersonLookup, PersonProfile
from salesauto.kit.batching import chunked

__all__ = ["BULK_LIMIT", "EVENTS_LIMIT", "PAGE_SIZE", "ExploriumClient"]
# Prospect fetches filter by at most this many business ids at a time.
BUSINESS_IDS_PER_FETCH = 50


class ExploriumClient(ExploriumApi):
    """Explorium as the platform's Discovery and Enrichment provider."""

    async def find_companies(self, icp: IcpCriteria, *, limit: int) -> list[CompanyProfile]:
        """Companies matching every ICP criterion, from Explorium's business fetch."""
        rows = await self.fetch_all_businesses(mapping.business_filters(icp), limit=limit)
        return [mapping.company_from_business(row) for row in rows]

    async def find_people(
        self, icp: IcpCriteria, *, company_domains: list[str], limit: int
    ) -> list[PersonProfile]:
        """People at these companies matching the ICP's titles, seniorities and departments
        (without contact details: `enrich_people` reveals those)."""
        domains = list(dict.fromkeys(mapping.normalise_domain(d) for d in company_domains))
        matched = await self.match_businesses([BusinessToMatch(domain=d) for d in domains])
        domain_of = {
            m.business_id: d for d, m in zip(domains, matched, strict=True) if m.business_id
        }
        people: list[PersonProfile] = []
        # One page size for the whole walk: changing it between pages would shift the offsets.
        page_size = min(PAGE_SIZE, limit)
        for chunk in chunked(list(domain_of), BUSINESS_IDS_PER_FETCH):
            filters = mapping.prospect_filters(icp, list(chunk))
            page = 1
            while len(people) < limit:
                result = await self.fetch_prospects(filters, page=page, page_size=page_size)
                people += [self._person(row, domain_of) for row in result.data]
                if page >= result.total_pages or not result.data:
                    break
                page += 1
            if len(people) >= limit:
                break
        return people[:limit]

    @staticmethod
    def _person(row: Prospect, domain_of: dict[str, str]) -> PersonProfile:
        return mapping.person_from_prospect(row, domain_of.get(row.business_id or ""))

    async def enrich_companies(self, domains: list[str]) -> dict[str, CompanyProfile | None]:
        """Firmographics, technographics and funding per domain, merged; None when unmatched."""
        normalised = {domain: mapping.normalise_domain(domain) for domain in domains}
        unique = list(dict.fromkeys(normalised.values()))
        matched = await self.match_businesses([BusinessToMatch(domain=d) for d in unique])
        id_of = {d: m.business_id for d, m in zip(unique, matched, strict=True) if m.business_id}
        ids = list(dict.fromkeys(id_of.values()))
        firmographics = await self.bulk_firmographics(ids)
        technographics = await self.bulk_technographics(ids)
        funding = await self.bulk_funding_and_acquisition(ids)
        profiles: dict[str, CompanyProfile | None] = {}
        for original, domain in normalised.items():
            business_id = id_of.get(domain)
            profiles[original] = (
                mapping.company_profile(
                    domain,
                    business_id,
                    firmographics.get(business_id),
                    technographics.get(business_id),
                    funding.get(business_id),
                )
                if business_id
                else None
            )
        return profiles

    async def enrich_people(self, people: list[PersonLookup]) -> list[PersonProfile | None]:
        """Email, phone and profile (title, seniority, department, LinkedIn, location) per
        person, in input order; None when Explorium has no match."""
        business_ids = await self._business_ids_for_names(people)
        to_match = [
            ProspectToMatch(
                email=lookup.email,
                full_name=mapping.full_name(lookup),
                company_name=lookup.company_name,
                linkedin=lookup.linkedin_url,
                business_id=business_ids.get(mapping.normalise_domain(lookup.company_domain))
                if lookup.company_domain
                else None,
            )
            for lookup in people
        ]
        matched = await self.match_prospects(to_match) if to_match else []
        ids = [m.prospect_id for m in matched if m.prospect_id]
        contacts = await self.bulk_contact_information(ids)
        # Contact details alone leave the role out, which is what enrichment is bought for.
        profiles = await self.bulk_prospect_profiles(ids)
        results: list[PersonProfile | None] = []
        for lookup, match in zip(people, matched, strict=True):
            found = contacts.get(match.prospect_id) if match.prospect_id else None
            profile = profiles.get(match.prospect_id) if match.prospect_id else None
            results.append(
                mapping.person_from_contacts(lookup, match.prospect_id, found, profile)
                if match.prospect_id and (found or profile)
                else None
            )
        return results

    async def _business_ids_for_names(self, people: list[PersonLookup]) -> dict[str, str]:
        """Business ids of the domains of people we can only match by name at a company."""
        domains = list(
            dict.fromkeys(
                mapping.normalise_domain(p.company_domain)
                for p in people
                if p.company_domain and not p.email and not p.linkedin_url
            )
        )
        if not domains:
            return {}
        matched = await self.match_businesses([BusinessToMatch(domain=d) for d in domains])
        return {d: m.business_id for d, m in zip(domains, matched, strict=True) if m.business_id}
