"""`ExploriumClient`: Explorium's v1 API as typed calls, and the Discovery/Enrichment capabilities.

Bulk calls are split at the vendor's limits (50 per match or bulk enrich, 40 ids per events
call); every call goes through `ProviderHttp` (limits, retries, breaker). All of Explorium's
POSTs are reads, so they are safe to retry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from salesauto.integrations.explorium import mapping
from salesauto.integrations.explorium.schemas import (
    Business,
    BusinessFilters,
    BusinessPage,
    BusinessStats,
    BusinessToMatch,
    ContactInformation,
    Credits,
    FetchMode,
    Firmographics,
    FundingAndAcquisition,
    MatchedBusiness,
    MatchedProspect,
    Prospect,
    ProspectFilters,
    ProspectPage,
    ProspectProfile,
    ProspectToMatch,
    Technographics,
)
from salesauto.integrations.http.client import ProviderHttp
from salesauto.integrations.models import (
    BusinessEvent,
    CompanyProfile,
    IcpCriteria,
    PersonLookup,
    PersonProfile,
)
from salesauto.kit.batching import chunked

BULK_LIMIT = 50
EVENTS_LIMIT = 40
# The docs' text caps page_size at 100 (the spec says 500): stay within both.
PAGE_SIZE = 100
# Prospect fetches filter by at most this many business ids at a time.
BUSINESS_IDS_PER_FETCH = 50

EnrichmentT = TypeVar("EnrichmentT", bound=BaseModel)


def _fetch_body(
    filters: BaseModel,
    page: int,
    page_size: int,
    size: int,
    mode: str,
    exclude: list[str] | None,
) -> dict[str, Any]:
    """The body of a businesses or prospects fetch (both take the same envelope)."""
    return {
        "mode": mode,
        "size": size,
        "page_size": page_size,
        "page": page,
        "filters": filters.model_dump(exclude_none=True),
        "exclude": exclude or [],
    }


class ExploriumClient:
    """Explorium businesses and prospects: match, fetch, enrich, events."""

    name = "explorium"

    def __init__(self, http: ProviderHttp) -> None:
        self.http = http

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self.http.request("POST", path, json=body, idempotent=True)
        return response.json()

    async def _match(self, kind: str, items: Sequence[BaseModel]) -> list[Any]:
        """`/v1/{kind}/match` in calls of 50; the raw result rows, in input order."""
        rows: list[Any] = []
        for chunk in chunked(items, BULK_LIMIT):
            body = await self._post(
                f"/v1/{kind}/match",
                {f"{kind}_to_match": [item.model_dump(exclude_none=True) for item in chunk]},
            )
            rows += body[f"matched_{kind}"]
        return rows

    async def check(self) -> str:
        """One cheap call (`GET /v1/credits`) summarised in a line."""
        credits = await self.credits()
        if credits.remaining_credits is not None:
            return f"ok, {credits.remaining_credits:,} credits remaining"
        return "ok, credits endpoint answered"

    async def credits(self) -> Credits:
        """The account's credit budget."""
        response = await self.http.request("GET", "/v1/credits")
        return Credits.model_validate(response.json())

    # --- businesses ----------------------------------------------------------------------------

    async def match_businesses(self, businesses: list[BusinessToMatch]) -> list[MatchedBusiness]:
        """Business ids for names/domains, one result per input in order (`business_id` None
        when unmatched); split into calls of 50."""
        rows = await self._match("businesses", businesses)
        return [MatchedBusiness.model_validate(row) for row in rows]

    async def fetch_businesses(
        self,
        filters: BusinessFilters,
        *,
        page: int = 1,
        page_size: int = PAGE_SIZE,
        size: int = 10_000,
        mode: FetchMode = "full",
        exclude: list[str] | None = None,
    ) -> BusinessPage:
        """One page of businesses matching every filter (`size` caps the whole result set)."""
        body = _fetch_body(filters, page, page_size, size, mode, exclude)
        return BusinessPage.model_validate(await self._post("/v1/businesses", body))

    async def fetch_all_businesses(self, filters: BusinessFilters, *, limit: int) -> list[Business]:
        """Businesses matching the filters, paging until `limit` or the last page."""
        found: list[Business] = []
        page = 1
        while len(found) < limit:
            result = await self.fetch_businesses(
                filters, page=page, page_size=min(PAGE_SIZE, limit), size=limit
            )
            found += result.data
            if page >= result.total_pages or not result.data:
                break
            page += 1
        return found[:limit]

    async def business_stats(self, filters: BusinessFilters) -> BusinessStats:
        """How many businesses match the filters."""
        body = await self._post(
            "/v1/businesses/stats", {"filters": filters.model_dump(exclude_none=True)}
        )
        return BusinessStats.model_validate(body)

    async def _enrich_business(
        self, enrichment: str, business_id: str, model: type[EnrichmentT]
    ) -> EnrichmentT | None:
        body = await self._post(
            f"/v1/businesses/{enrichment}/enrich", {"business_id": business_id, "parameters": {}}
        )
        data = body.get("data")
        return model.model_validate(data) if data else None

    async def _bulk_enrich_businesses(
        self, enrichment: str, business_ids: list[str], model: type[EnrichmentT]
    ) -> dict[str, EnrichmentT]:
        found: dict[str, EnrichmentT] = {}
        for chunk in chunked(list(dict.fromkeys(business_ids)), BULK_LIMIT):
            body = await self._post(
                f"/v1/businesses/{enrichment}/bulk_enrich",
                {"business_ids": list(chunk), "parameters": {}},
            )
            for row in body.get("data") or []:
                if row.get("data"):
                    found[row["business_id"]] = model.model_validate(row["data"])
        return found

    async def firmographics(self, business_id: str) -> Firmographics | None:
        """Name, location, size, revenue and industry of one business (None: no data)."""
        return await self._enrich_business("firmographics", business_id, Firmographics)

    async def bulk_firmographics(self, business_ids: list[str]) -> dict[str, Firmographics]:
        """Firmographics by business id (any number; calls of 50)."""
        return await self._bulk_enrich_businesses("firmographics", business_ids, Firmographics)

    async def technographics(self, business_id: str) -> Technographics | None:
        """The technology stack of one business."""
        return await self._enrich_business("technographics", business_id, Technographics)

    async def bulk_technographics(self, business_ids: list[str]) -> dict[str, Technographics]:
        """Technology stacks by business id (any number; calls of 50)."""
        return await self._bulk_enrich_businesses("technographics", business_ids, Technographics)

    async def funding_and_acquisition(self, business_id: str) -> FundingAndAcquisition | None:
        """Funding rounds, investors and acquisitions of one business."""
        return await self._enrich_business(
            "funding_and_acquisition", business_id, FundingAndAcquisition
        )

    async def bulk_funding_and_acquisition(
        self, business_ids: list[str]
    ) -> dict[str, FundingAndAcquisition]:
        """Funding by business id (any number; calls of 50)."""
        return await self._bulk_enrich_businesses(
            "funding_and_acquisition", business_ids, FundingAndAcquisition
        )

    async def business_events(
        self,
        business_ids: list[str],
        event_types: list[str],
        *,
        timestamp_from: datetime | None = None,
        timestamp_to: datetime | None = None,
    ) -> list[BusinessEvent]:
        """Events (funding rounds, hiring, new products…) of these businesses, calls of 40 ids."""
        events: list[BusinessEvent] = []
        for chunk in chunked(list(dict.fromkeys(business_ids)), EVENTS_LIMIT):
            body: dict[str, Any] = {"event_types": event_types, "business_ids": list(chunk)}
            if timestamp_from is not None:
                body["timestamp_from"] = timestamp_from.isoformat()
            if timestamp_to is not None:
                body["timestamp_to"] = timestamp_to.isoformat()
            result = await self._post("/v1/businesses/events", body)
            for row in result.get("output_events") or []:
                events.append(
                    BusinessEvent(
                        provider=self.name,
                        event_id=str(row["event_id"]),
                        provider_company_id=row.get("business_id"),
                        type=row["event_name"],
                        occurred_at=datetime.fromisoformat(row["event_time"]),
                        data=row.get("data") or {},
                    )
                )
        return events

    # --- prospects -----------------------------------------------------------------------------

    async def match_prospects(self, prospects: list[ProspectToMatch]) -> list[MatchedProspect]:
        """Prospect ids by email, LinkedIn, or name at a company; one per input, in order."""
        rows = await self._match("prospects", prospects)
        return [MatchedProspect.model_validate(row) for row in rows]

    async def fetch_prospects(
        self,
        filters: ProspectFilters,
        *,
        page: int = 1,
        page_size: int = PAGE_SIZE,
        size: int = 10_000,
        mode: FetchMode = "full",
        exclude: list[str] | None = None,
    ) -> ProspectPage:
        """One page of prospects matching every filter (no contact details)."""
        body = _fetch_body(filters, page, page_size, size, mode, exclude)
        return ProspectPage.model_validate(await self._post("/v1/prospects", body))

    async def contact_information(self, prospect_id: str) -> ContactInformation | None:
        """Emails and phone numbers of one prospect (None: nothing found)."""
        body = await self._post(
            "/v1/prospects/contacts_information/enrich", {"prospect_id": prospect_id}
        )
        data = body.get("data")
        return ContactInformation.model_validate(data) if data else None

    async def bulk_contact_information(
        self, prospect_ids: list[str]
    ) -> dict[str, ContactInformation]:
        """Contact details by prospect id (any number; calls of 50)."""
        return await self._bulk_enrich_prospects(
            "contacts_information", prospect_ids, ContactInformation
        )

    async def prospect_profile(self, prospect_id: str) -> ProspectProfile | None:
        """Role, department, seniority and experience of one prospect."""
        body = await self._post("/v1/prospects/profiles/enrich", {"prospect_id": prospect_id})
        data = body.get("data")
        return ProspectProfile.model_validate(data) if data else None

    async def bulk_prospect_profiles(self, prospect_ids: list[str]) -> dict[str, ProspectProfile]:
        """Profiles by prospect id (any number; calls of 50)."""
        return await self._bulk_enrich_prospects("profiles", prospect_ids, ProspectProfile)

    async def _bulk_enrich_prospects(
        self, enrichment: str, prospect_ids: list[str], model: type[EnrichmentT]
    ) -> dict[str, EnrichmentT]:
        found: dict[str, EnrichmentT] = {}
        for chunk in chunked(list(dict.fromkeys(prospect_ids)), BULK_LIMIT):
            body = await self._post(
                f"/v1/prospects/{enrichment}/bulk_enrich", {"prospect_ids": list(chunk)}
            )
            for row in body.get("data") or []:
                if row.get("data"):
                    found[row["prospect_id"]] = model.model_validate(row["data"])
        return found

    # --- capabilities --------------------------------------------------------------------------

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
