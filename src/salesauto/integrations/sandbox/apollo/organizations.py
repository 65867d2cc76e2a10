"""Organization routes: `organizations/enrich`, `organizations/bulk_enrich`,
`mixed_companies/search`."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request

from salesauto.integrations.sandbox.apollo.params import (
    ApolloError,
    invalid,
    parse,
    read_params,
)
from salesauto.integrations.sandbox.apollo.render import organization
from salesauto.integrations.sandbox.apollo.schemas import (
    BulkOrganizationEnrich,
    OrganizationEnrich,
    OrganizationFilters,
)
from salesauto.integrations.sandbox.apollo.search import organization_tests
from salesauto.integrations.sandbox.apollo.state import ApolloState

PER_PAGE_MAX = 100
BULK_ENRICH_MAX = 10


def organizations_router(state: ApolloState) -> APIRouter:
    router = APIRouter(tags=["organizations"])

    @router.get("/organizations/enrich")
    async def enrich_organization(request: Request) -> dict[str, Any]:
        """One organization by domain, website, LinkedIn URL or name (`{}` when unknown)."""
        params = parse(OrganizationEnrich, await read_params(request))
        if not (params.domain or params.website or params.linkedin_url or params.name):
            raise invalid("one of domain, website, linkedin_url or name is required")
        state.log_call("organizations/enrich", 1)
        company = state.company(
            domain=params.domain or params.website,
            name=params.name,
            linkedin_url=params.linkedin_url,
        )
        if company is None:
            return {}
        state.credits_consumed += 1
        return {"organization": organization(company)}

    @router.post("/organizations/bulk_enrich")
    async def bulk_enrich_organizations(request: Request) -> dict[str, Any]:
        """Up to 10 organizations by domain; unknown domains are counted as missing."""
        params = parse(BulkOrganizationEnrich, await read_params(request))
        if len(params.domains) > BULK_ENRICH_MAX:
            raise ApolloError(
                400,
                {
                    "status": "failed",
                    "error_code": "RECORD_LIMIT_EXCEEDED",
                    "error_message": "cannot enrich more than 10 in a single request",
                },
            )
        if not params.domains:
            raise invalid("domains must not be empty")
        state.log_call("organizations/bulk_enrich", len(params.domains))
        unique = list(dict.fromkeys(d.strip().lower() for d in params.domains))
        companies = [c for d in unique if (c := state.universe.company_for(d))]
        state.credits_consumed += len(companies)
        return {
            "status": "success",
            "error_code": None,
            "error_message": None,
            "total_requested_domains": len(params.domains),
            "unique_domains": len(unique),
            "unique_enriched_records": len(companies),
            "missing_records": len(unique) - len(companies),
            "organizations": [organization(c) for c in companies],
        }

    @router.post("/mixed_companies/search")
    async def search_organizations(request: Request) -> dict[str, Any]:
        """Organizations matching every filter, paged (`pagination` block)."""
        params = parse(OrganizationFilters, await read_params(request))
        per_page = min(params.per_page, PER_PAGE_MAX)
        tests = organization_tests(params)
        found = [c for c in state.universe.companies if all(test(c) for test in tests)]
        start = (params.page - 1) * per_page
        rows = found[start : start + per_page]
        state.log_call("mixed_companies/search", len(rows))
        return {
            "breadcrumbs": [],
            "partial_results_only": False,
            "disable_eu_prospecting": False,
            "partial_results_limit": 10000,
            "pagination": {
                "page": params.page,
                "per_page": per_page,
                "total_entries": len(found),
                "total_pages": math.ceil(len(found) / per_page),
            },
            "accounts": [],
            "organizations": [organization(c) for c in rows],
        }

    return router
