"""`/v1/businesses…` routes: match, fetch (ICP discovery), stats, enrich, bulk enrich, events."""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException

from salesauto.integrations.sandbox.explorium.filters import company_tests
from salesauto.integrations.sandbox.explorium.insights import Renderer, more_business_enrichments
from salesauto.integrations.sandbox.explorium.render import (
    BUSINESS_ENRICHMENTS,
    business_event,
    business_row,
)
from salesauto.integrations.sandbox.explorium.schemas import (
    BusinessBulkEnrichBody,
    BusinessEnrichBody,
    BusinessEventsBody,
    BusinessFetchBody,
    BusinessFilters,
    BusinessMatchBody,
    BusinessToMatch,
    StatsBody,
)
from salesauto.integrations.sandbox.explorium.state import (
    ExploriumState,
    bulk_enrichment_answer,
    enrichment_answer,
    response_context,
)
from salesauto.integrations.sandbox.universe import Company


def page_of(matches: list[Any], size: int, page_size: int, page: int) -> tuple[int, int, list[Any]]:
    """Explorium paging: `size` caps the result set, `page_size` cuts it into pages."""
    total = min(len(matches), size)
    pages = math.ceil(total / page_size) if total else 0
    start = (page - 1) * page_size
    return total, pages, matches[start : min(start + page_size, total)]


def businesses_router(state: ExploriumState) -> APIRouter:
    router = APIRouter(prefix="/v1/businesses", tags=["businesses"])
    renderers: dict[str, Renderer] = {
        **BUSINESS_ENRICHMENTS,
        **more_business_enrichments(state.universe),
    }

    def matching(filters: BusinessFilters, exclude: set[str] | None = None) -> list[Company]:
        tests = company_tests(filters)
        excluded = exclude or set()
        return [
            company
            for company in state.universe.companies
            if company.business_id not in excluded and all(test(company) for test in tests)
        ]

    def match_one(item: BusinessToMatch) -> Company | None:
        return (
            state.company_by_domain(item.domain)
            or state.company_by_domain(item.url)
            or state.company_by_linkedin(item.linkedin_url)
            or state.company_by_name(item.name)
        )

    def require(enrichment: str) -> None:
        if enrichment not in renderers:
            raise HTTPException(404, f"Enrichment '{enrichment}' is not available in the sandbox")

    @router.post("/match")
    async def match_businesses(body: BusinessMatchBody) -> dict[str, Any]:
        """Business IDs for names/domains, in input order; unmatched items get `null`."""
        started = time.perf_counter()
        state.log_call("businesses/match", len(body.businesses_to_match))
        matched = []
        for item in body.businesses_to_match:
            company = match_one(item)
            matched.append(
                {
                    "input": item.model_dump(exclude_none=True),
                    "business_id": company.business_id if company else None,
                }
            )
        hits = sum(1 for row in matched if row["business_id"])
        return {
            "response_context": response_context(started, "success" if hits else "miss"),
            "total_results": len(matched),
            "total_matches": hits,
            "matched_businesses": matched,
        }

    @router.post("")
    async def fetch_businesses(body: BusinessFetchBody) -> dict[str, Any]:
        """Businesses matching every filter, paged."""
        started = time.perf_counter()
        found = matching(body.filters, set(body.exclude))
        total, pages, rows = page_of(found, body.size, body.page_size, body.page)
        state.log_call("businesses", len(rows))
        if body.mode == "full":
            state.spend(len(rows))
        return {
            "response_context": response_context(started),
            "total_results": total,
            "page": body.page,
            "total_pages": pages,
            "data": [business_row(company, preview=body.mode == "preview") for company in rows],
        }

    @router.post("/stats")
    async def business_stats(body: StatsBody) -> dict[str, Any]:
        """How many businesses match, with breakdowns (sandbox shape)."""
        started = time.perf_counter()
        found = matching(body.filters)
        state.log_call("businesses/stats", 0)
        return {
            "response_context": response_context(started),
            "total_results": len(found),
            "stats": {
                "country_name": dict(Counter(c.country for c in found).most_common()),
                "number_of_employees_range": dict(Counter(c.employee_range for c in found)),
                "yearly_revenue_range": dict(Counter(c.revenue_range for c in found)),
                "linkedin_industry_category": dict(
                    Counter(c.industry for c in found).most_common()
                ),
            },
        }

    @router.post("/events")
    async def business_events(body: BusinessEventsBody) -> dict[str, Any]:
        """Events of up to 40 businesses, filtered by type and time."""
        started = time.perf_counter()
        state.log_call("businesses/events", len(body.business_ids))
        wanted = set(body.event_types)
        since = _aware(body.timestamp_from)
        until = _aware(body.timestamp_to)
        events = []
        for business_id in body.business_ids:
            company = state.universe.by_business_id.get(business_id)
            if company is None:
                continue
            for event in company.events:
                moment = datetime(event.day.year, event.day.month, event.day.day, tzinfo=UTC)
                if event.type not in wanted:
                    continue
                if (since and moment < since) or (until and moment > until):
                    continue
                events.append(business_event(company, event))
        return {
            "response_context": response_context(started, "success" if events else "miss"),
            "output_events": events,
        }

    @router.post("/{enrichment}/enrich")
    async def enrich_business(enrichment: str, body: BusinessEnrichBody) -> dict[str, Any]:
        """One business's enrichment; an unknown id answers `miss` with `data: null`."""
        started = time.perf_counter()
        require(enrichment)
        company = state.universe.by_business_id.get(body.business_id)
        data = renderers[enrichment](company) if company else None
        path = f"businesses/{enrichment}/enrich"
        return enrichment_answer(state, path, body.business_id, data, started)

    @router.post("/{enrichment}/bulk_enrich")
    async def bulk_enrich_businesses(
        enrichment: str, body: BusinessBulkEnrichBody
    ) -> dict[str, Any]:
        """Up to 50 businesses' enrichment; unknown ids are left out of `data`."""
        started = time.perf_counter()
        require(enrichment)
        known = state.universe.by_business_id
        rows = {
            business_id: renderers[enrichment](known[business_id])
            for business_id in dict.fromkeys(body.business_ids)
            if business_id in known
        }
        path = f"businesses/{enrichment}/bulk_enrich"
        return bulk_enrichment_answer(state, path, "business_id", body.business_ids, rows, started)

    return router


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
