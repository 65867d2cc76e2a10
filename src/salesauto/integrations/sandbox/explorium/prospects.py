"""`/v1/prospects…` routes (match, fetch, enrich, bulk enrich) and `GET /v1/credits`."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, HTTPException

from salesauto.integrations.sandbox.explorium.businesses import page_of
from salesauto.integrations.sandbox.explorium.filters import person_tests
from salesauto.integrations.sandbox.explorium.render import PROSPECT_ENRICHMENTS, prospect_row
from salesauto.integrations.sandbox.explorium.schemas import (
    ProspectBulkEnrichBody,
    ProspectEnrichBody,
    ProspectFetchBody,
    ProspectMatchBody,
    ProspectToMatch,
)
from salesauto.integrations.sandbox.explorium.state import (
    CREDIT_BUDGET,
    ExploriumState,
    bulk_enrichment_answer,
    enrichment_answer,
    response_context,
)
from salesauto.integrations.sandbox.universe import Company, Person


def prospects_router(state: ExploriumState) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["prospects"])

    def require(enrichment: str) -> None:
        if enrichment not in PROSPECT_ENRICHMENTS:
            raise HTTPException(404, f"Enrichment '{enrichment}' is not available in the sandbox")

    def company_of(item: ProspectToMatch) -> Company | None:
        if item.business_id:
            return state.universe.by_business_id.get(item.business_id.lower())
        return state.company_by_name(item.company_name)

    def match_one(item: ProspectToMatch) -> Person | None:
        if item.email:
            person = state.universe.by_email.get(item.email.strip().lower())
            if person is not None:
                return person
        person = state.person_by_linkedin(item.linkedin)
        if person is not None:
            return person
        company = company_of(item)
        if company is None or not item.full_name:
            return None
        wanted = " ".join(item.full_name.lower().split())
        return next((p for p in company.people if p.full_name.lower() == wanted), None)

    @router.post("/prospects/match")
    async def match_prospects(body: ProspectMatchBody) -> dict[str, Any]:
        """Prospect IDs by email, LinkedIn URL, or full name at a company; input order kept."""
        started = time.perf_counter()
        state.log_call("prospects/match", len(body.prospects_to_match))
        matched = []
        for item in body.prospects_to_match:
            person = match_one(item)
            matched.append(
                {
                    "input": item.model_dump(exclude_none=True),
                    "prospect_id": person.prospect_id if person else None,
                }
            )
        hits = sum(1 for row in matched if row["prospect_id"])
        return {
            "response_context": response_context(started, "success" if hits else "miss"),
            "total_results": len(matched),
            "total_matches": hits,
            "matched_prospects": matched,
        }

    @router.post("/prospects")
    async def fetch_prospects(body: ProspectFetchBody) -> dict[str, Any]:
        """Prospects matching every filter, paged (no contact details)."""
        started = time.perf_counter()
        tests = person_tests(body.filters)
        excluded = set(body.exclude)
        ids = body.filters.business_id
        # A business_id filter narrows the scan to those companies' people.
        pool: list[Person] = (
            [
                person
                for business_id in ids.values
                if (company := state.universe.by_business_id.get(business_id.lower()))
                for person in company.people
            ]
            if ids and not ids.negate
            else state.universe.people
        )
        found = [
            person
            for person in pool
            if person.prospect_id not in excluded and all(test(person) for test in tests)
        ]
        total, pages, rows = page_of(found, body.size, body.page_size, body.page)
        state.log_call("prospects", len(rows))
        if body.mode == "full":
            state.spend(len(rows))
        return {
            "response_context": response_context(started),
            "total_results": total,
            "page": body.page,
            "total_pages": pages,
            "data": [prospect_row(person) for person in rows],
        }

    @router.post("/prospects/{enrichment}/enrich")
    async def enrich_prospect(enrichment: str, body: ProspectEnrichBody) -> dict[str, Any]:
        """One prospect's contact details or profile; an unknown id answers `miss`."""
        started = time.perf_counter()
        require(enrichment)
        person = state.universe.by_prospect_id.get(body.prospect_id)
        data = PROSPECT_ENRICHMENTS[enrichment](person) if person else None
        path = f"prospects/{enrichment}/enrich"
        return enrichment_answer(state, path, body.prospect_id, data, started)

    @router.post("/prospects/{enrichment}/bulk_enrich")
    async def bulk_enrich_prospects(
        enrichment: str, body: ProspectBulkEnrichBody
    ) -> dict[str, Any]:
        """Up to 50 prospects' contact details or profiles; unknown ids are left out."""
        started = time.perf_counter()
        require(enrichment)
        known = state.universe.by_prospect_id
        rows = {
            prospect_id: PROSPECT_ENRICHMENTS[enrichment](known[prospect_id])
            for prospect_id in dict.fromkeys(body.prospect_ids)
            if prospect_id in known
        }
        path = f"prospects/{enrichment}/bulk_enrich"
        return bulk_enrichment_answer(state, path, "prospect_id", body.prospect_ids, rows, started)

    @router.get("/credits")
    async def credits() -> dict[str, Any]:
        """The account's credit budget (sandbox shape: the real body is not documented)."""
        started = time.perf_counter()
        state.log_call("credits", 0)
        return {
            "response_context": response_context(started),
            "total_credits": CREDIT_BUDGET,
            "used_credits": state.credits_used,
            "remaining_credits": max(CREDIT_BUDGET - state.credits_used, 0),
        }

    return router
