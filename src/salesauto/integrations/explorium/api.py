"""`ExploriumApi`: Explorium's v1 API as typed calls (`ExploriumClient` adds the capabilities).

Bulk calls are split at the vendor's limits (50 per match or bulk enrich, 40 ids per events
call); every call goes through `ProviderHttp` (limits, retries, breaker). All of Explorium's
POSTs are reads, so they are safe to retry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from salesauto.integrations.explorium.schemas import (
    Business,
    BusinessEnrichment,
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
    ProspectEnrichment,
    ProspectEvent,
    ProspectEventType,
    ProspectFilters,
    ProspectPage,
    ProspectProfile,
    ProspectToMatch,
    Technographics,
)
from salesauto.integrations.http.client import ProviderHttp
from salesauto.integrations.models import BusinessEvent
from salesauto.kit.batching import chunked

BULK_LIMIT = 50
EVENTS_LIMIT = 40
# The docs' text caps page_size at 100 (the spec says 500): stay within both.
PAGE_SIZE = 100

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


def _window(since: datetime | None, until: datetime | None) -> dict[str, str]:
    """An events call's optional time window, as ISO timestamps."""
    window = {"timestamp_from": since, "timestamp_to": until}
    return {key: moment.isoformat() for key, moment in window.items() if moment is not None}


class ExploriumApi:
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

    async def _bulk_enrich(self, entity: str, enrichment: str, ids: list[str]) -> dict[str, Any]:
        """`/v1/{entity}/{enrichment}/bulk_enrich` in calls of 50: the raw `data` per id, for
        the ids Explorium has data on (an object, or a list of rows for posts and the like)."""
        key = "business_id" if entity == "businesses" else "prospect_id"
        found: dict[str, Any] = {}
        for chunk in chunked(list(dict.fromkeys(ids)), BULK_LIMIT):
            body: dict[str, Any] = {f"{key}s": list(chunk)}
            if entity == "businesses":
                body["parameters"] = {}
            answer = await self._post(f"/v1/{entity}/{enrichment}/bulk_enrich", body)
            for row in answer.get("data") or []:
                if row.get("data"):
                    found[row[key]] = row["data"]
        return found

    async def bulk_enrich_businesses(
        self, enrichment: BusinessEnrichment, business_ids: list[str]
    ) -> dict[str, Any]:
        """Any business enrichment kind by business id, as Explorium returns it (calls of 50)."""
        return await self._bulk_enrich("businesses", enrichment, business_ids)

    async def bulk_enrich_prospects(
        self, enrichment: ProspectEnrichment, prospect_ids: list[str]
    ) -> dict[str, Any]:
        """Any prospect enrichment kind by prospect id, as Explorium returns it (calls of 50)."""
        return await self._bulk_enrich("prospects", enrichment, prospect_ids)

    async def _bulk_enrich_businesses(
        self, enrichment: str, business_ids: list[str], model: type[EnrichmentT]
    ) -> dict[str, EnrichmentT]:
        found = await self._bulk_enrich("businesses", enrichment, business_ids)
        return {key: model.model_validate(value) for key, value in found.items()}

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
            body.update(_window(timestamp_from, timestamp_to))
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
        found = await self._bulk_enrich("prospects", enrichment, prospect_ids)
        return {key: model.model_validate(value) for key, value in found.items()}

    async def prospect_events(
        self,
        prospect_ids: list[str],
        event_types: list[ProspectEventType],
        *,
        timestamp_from: datetime | None = None,
        timestamp_to: datetime | None = None,
    ) -> list[ProspectEvent]:
        """Job changes and work anniversaries of these prospects, in calls of 40 ids."""
        events: list[ProspectEvent] = []
        for chunk in chunked(list(dict.fromkeys(prospect_ids)), EVENTS_LIMIT):
            body: dict[str, Any] = {"event_types": event_types, "prospect_ids": list(chunk)}
            body.update(_window(timestamp_from, timestamp_to))
            result = await self._post("/v1/prospects/events", body)
            events += [
                ProspectEvent.model_validate(row) for row in result.get("output_events") or []
            ]
        return events
