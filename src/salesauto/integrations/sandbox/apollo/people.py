"""People routes: `mixed_people/api_search`, `people/match`, `people/bulk_match`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from salesauto.integrations.sandbox.apollo.params import ApolloError, parse, read_params
from salesauto.integrations.sandbox.apollo.render import matched_person, search_person
from salesauto.integrations.sandbox.apollo.schemas import (
    BulkPersonMatch,
    PeopleSearch,
    PersonDetails,
    PersonMatch,
)
from salesauto.integrations.sandbox.apollo.search import person_tests
from salesauto.integrations.sandbox.apollo.state import ApolloState
from salesauto.integrations.sandbox.universe import Person

PER_PAGE_MAX = 100
PAGES_MAX = 500
BULK_MATCH_MAX = 10


def find_person(state: ApolloState, details: PersonDetails) -> Person | None:
    """Apollo's match: by id, email, hashed email, LinkedIn, or name at a company; a bare
    name is too little to go on."""
    universe = state.universe
    if details.id and details.id in universe.by_apollo_person:
        return universe.by_apollo_person[details.id]
    if details.email and (person := universe.by_email.get(details.email.strip().lower())):
        return person
    if details.hashed_email and (person := state.person_by_hash(details.hashed_email)):
        return person
    if details.linkedin_url and (person := state.person_by_linkedin(details.linkedin_url)):
        return person
    name = details.name or " ".join(p for p in (details.first_name, details.last_name) if p)
    company = state.company(domain=details.domain, name=details.organization_name)
    if not name.strip() or company is None:
        return None
    wanted = " ".join(name.lower().split())
    return next((p for p in company.people if p.full_name.lower() == wanted), None)


def people_router(state: ApolloState) -> APIRouter:
    router = APIRouter(tags=["people"])

    @router.post("/mixed_people/api_search")
    async def search_people(request: Request) -> dict[str, Any]:
        """People matching every filter; no emails or phones (0 credits)."""
        params = parse(PeopleSearch, await read_params(request))
        per_page = min(params.per_page, PER_PAGE_MAX)
        tests = person_tests(params)
        domains = params.q_organization_domains_list
        # A domain list narrows the scan to those companies' people.
        pool = (
            [p for d in domains if (c := state.universe.company_for(d)) for p in c.people]
            if domains
            else state.universe.people
        )
        found = [person for person in pool if all(test(person) for test in tests)]
        start = (params.page - 1) * per_page
        rows = found[start : start + per_page] if params.page <= PAGES_MAX else []
        state.log_call("mixed_people/api_search", len(rows))
        return {"total_entries": len(found), "people": [search_person(p) for p in rows]}

    @router.post("/people/match")
    async def match_person(request: Request) -> dict[str, Any]:
        """One person enriched with work email and employment (1 credit when found)."""
        params = parse(PersonMatch, await read_params(request))
        if params.reveal_phone_number and not params.webhook_url:
            raise ApolloError(
                400,
                {
                    "error": "Please add a valid 'webhook_url' parameter when using "
                    "'reveal_phone_number'"
                },
            )
        state.log_call("people/match", 1)
        person = find_person(state, params)
        if person is None:
            return {"person": None}
        state.credits_consumed += 1
        return {"person": matched_person(person)}

    @router.post("/people/bulk_match")
    async def bulk_match_people(request: Request) -> dict[str, Any]:
        """Up to 10 people enriched at once; `matches` keeps input order (null = not found)."""
        params = parse(BulkPersonMatch, await read_params(request))
        if len(params.details) > BULK_MATCH_MAX:
            raise ApolloError(
                400,
                {
                    "status": "failed",
                    "error_code": "RECORD_LIMIT_EXCEEDED",
                    "error_message": "cannot enrich more than 10 in a single request",
                },
            )
        if not params.details:
            raise ApolloError(
                422, {"error": "Invalid parameters", "error_message": "details must not be empty"}
            )
        state.log_call("people/bulk_match", len(params.details))
        people = [find_person(state, details) for details in params.details]
        found = [person for person in people if person is not None]
        state.credits_consumed += len(found)
        return {
            "status": "success",
            "error_code": None,
            "error_message": None,
            "total_requested_enrichments": len(params.details),
            "unique_enriched_records": len({p.apollo_id for p in found}),
            "missing_records": len(people) - len(found),
            "credits_consumed": len(found),
            "matches": [matched_person(p) if p else None for p in people],
        }

    return router
