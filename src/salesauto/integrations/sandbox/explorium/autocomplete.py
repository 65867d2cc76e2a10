"""`GET /v1/{businesses|prospects}/autocomplete?field=&query=`: the filter values Explorium
accepts, drawn from the synthetic universe so every suggestion matches something in a fetch."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fastapi import APIRouter, HTTPException, Query

from salesauto.integrations.sandbox.explorium.render import tech_category
from salesauto.integrations.sandbox.explorium.state import ExploriumState
from salesauto.integrations.sandbox.universe import Company, Person
from salesauto.integrations.sandbox.vocabulary_people import EXPLORIUM_JOB_LEVEL

SUGGESTIONS_MAX = 10
CompanyValues = Callable[[Company], Iterable[str]]
PersonValues = Callable[[Person], Iterable[str]]

BUSINESS_FIELDS: dict[str, CompanyValues] = {
    "country_code": lambda c: [c.country_code.lower()],
    "company_size": lambda c: [c.employee_range],
    "company_revenue": lambda c: [c.revenue_range],
    "naics_category": lambda c: [c.naics],
    "linkedin_category": lambda c: [c.industry],
    "google_category": lambda c: [c.industry],
    "company_tech_stack_category": lambda c: [tech_category(k) for k in c.tech_categories],
    "company_tech_stack_tech": lambda c: c.technologies,
    "company_name": lambda c: [c.name],
}
PROSPECT_FIELDS: dict[str, PersonValues] = {
    "job_title": lambda p: [p.title],
    "job_department": lambda p: [p.department],
    "job_level": lambda p: [EXPLORIUM_JOB_LEVEL[p.seniority]],
}


def _company_field(values: CompanyValues) -> PersonValues:
    return lambda person: values(person.company)


for _name in ("country_code", "linkedin_category", "company_name", "company_size"):
    PROSPECT_FIELDS[_name] = _company_field(BUSINESS_FIELDS[_name])
PROSPECT_FIELDS["company_country_code"] = _company_field(BUSINESS_FIELDS["country_code"])


def suggestions(vocabulary: Iterable[str], query: str) -> list[dict[str, str]]:
    """Values containing `query` (case-insensitive), those starting with it first."""
    needle = query.strip().lower()
    found = sorted(
        {value for value in vocabulary if needle in value.lower()},
        key=lambda value: (not value.lower().startswith(needle), value.lower()),
    )
    return [{"query": query, "label": value, "value": value} for value in found[:SUGGESTIONS_MAX]]


def unknown_field(field: str, known: Iterable[str]) -> HTTPException:
    choices = ", ".join(sorted(known))
    return HTTPException(
        422,
        [
            {
                "loc": ["query", "field"],
                "msg": f"field {field!r} has no autocomplete; use one of {choices}",
                "type": "value_error",
            }
        ],
    )


def autocomplete_router(state: ExploriumState) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["autocomplete"])
    universe = state.universe

    @router.get("/businesses/autocomplete")
    async def business_autocomplete(
        field: str, query: str = Query(..., min_length=1)
    ) -> list[dict[str, str]]:
        values = BUSINESS_FIELDS.get(field)
        if values is None:
            raise unknown_field(field, BUSINESS_FIELDS)
        return suggestions((v for c in universe.companies for v in values(c)), query)

    @router.get("/prospects/autocomplete")
    async def prospect_autocomplete(
        field: str, query: str = Query(..., min_length=1)
    ) -> list[dict[str, str]]:
        values = PROSPECT_FIELDS.get(field)
        if values is None:
            raise unknown_field(field, PROSPECT_FIELDS)
        return suggestions((v for p in universe.people for v in values(p)), query)

    return router
