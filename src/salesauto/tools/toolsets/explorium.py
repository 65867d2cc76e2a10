"""explorium: Explorium's business and prospect data — autocomplete, match, search, enrich,
events — through `ExploriumClient`. Searches and enrichments spend credits, so they run as a
dry run first (a search's dry run counts the matches, which is free)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from salesauto.integrations.explorium import ExploriumClient
from salesauto.integrations.explorium.schemas import (
    BusinessFilters,
    BusinessToMatch,
    ProspectFilters,
    ProspectToMatch,
)
from salesauto.tools.registry import tool
from salesauto.tools.spec import Preview, ToolContext, ToolFlags, ToolInput, ToolOutput
from salesauto.tools.toolsets.provider_calls import call_provider

EXPLORIUM_READ = ToolFlags(read_only=True, idempotent=True, open_world=True)
EXPLORIUM_SPEND = ToolFlags(read_only=True, idempotent=True, open_world=True, spends_credits=True)
EVENT_TYPES = (
    "new_funding_round", "new_product", "new_partnership", "new_office",
    "hiring_in_sales_department", "hiring_in_engineering_department",
    "increase_in_sales_department", "increase_in_engineering_department",
    "employee_joined_company", "company_award", "cost_cutting",
)  # fmt: skip
# Explorium's ids are hex digests: a malformed one is refused here, with the field named.
BusinessId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
ProspectId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]
BusinessKind = Literal["firmographics", "technographics", "funding_and_acquisition"]
ProspectKind = Literal["contacts_information", "profiles"]


def _explorium(ctx: ToolContext) -> ExploriumClient:
    return ctx.platform.integrations.explorium


class Autocomplete(ToolInput):
    entity: Literal["businesses", "prospects"] = "businesses"
    field: str = Field(
        ...,
        pattern=r"^[a-z_]{2,64}$",
        description="The filter to complete, e.g. linkedin_category, naics_category, "
        "company_tech_stack_tech, country_code, job_title, job_department.",
    )
    query: str = Field(..., min_length=1, max_length=100, description="What the user typed.")


class Suggestions(ToolOutput):
    values: list[dict[str, Any]] = Field(description="`value` is what a filter accepts.")


@tool(toolset="explorium", scope="integrations:read", flags=EXPLORIUM_READ)
async def explorium_autocomplete(ctx: ToolContext, args: Autocomplete) -> Suggestions:
    """The exact values Explorium accepts for a search filter (industries, technologies,
    job titles, countries…), for a word the user gave. Call it before
    explorium_search_businesses or explorium_search_prospects: a free-text value that is
    not in Explorium's vocabulary matches nothing. Free."""
    body = await call_provider(
        ctx,
        "explorium",
        "GET",
        f"/v1/{args.entity}/autocomplete",
        params={"field": args.field, "query": args.query},
    )
    rows = body if isinstance(body, list) else body.get("data") or []
    return Suggestions(values=[row for row in rows if isinstance(row, dict)])


class BusinessMatch(ToolInput):
    businesses: list[BusinessToMatch] = Field(
        ..., min_length=1, max_length=50, description="Each a name and/or a domain."
    )


class Matches(ToolOutput):
    matches: list[dict[str, Any]] = Field(description="Per input, in order: its id or None.")


@tool(toolset="explorium", scope="integrations:read", flags=EXPLORIUM_READ)
async def explorium_match_businesses(ctx: ToolContext, args: BusinessMatch) -> Matches:
    """Explorium business ids for up to 50 companies by name or domain (None when not
    found). Enrichment and events tools take these ids. Free."""
    found = await _explorium(ctx).match_businesses(args.businesses)
    return Matches(
        matches=[{"input": m.input, "business_id": m.business_id} for m in found],
    )


class BusinessSearch(ToolInput):
    filters: BusinessFilters = Field(
        description="Every filter given must match; values from explorium_autocomplete."
    )
    page: int = Field(1, ge=1, le=100)
    page_size: int = Field(25, ge=1, le=100)


class BusinessResults(ToolOutput):
    total: int
    page: int
    total_pages: int
    businesses: list[dict[str, Any]]


async def _business_search_preview(ctx: ToolContext, args: BusinessSearch) -> Preview:
    stats = await _explorium(ctx).business_stats(args.filters)
    fetched = max(0, min(args.page_size, stats.total_results - (args.page - 1) * args.page_size))
    return Preview(
        summary=f"{stats.total_results} businesses match; fetching page {args.page} returns "
        f"{fetched} of them for about {fetched} Explorium credit(s)",
        details={"total": stats.total_results, "breakdown": stats.stats},
    )


@tool(
    toolset="explorium",
    scope="integrations:read",
    flags=EXPLORIUM_SPEND,
    preview=_business_search_preview,
)
async def explorium_search_businesses(ctx: ToolContext, args: BusinessSearch) -> BusinessResults:
    """Find companies by firmographics: country, size, revenue, industry, technologies,
    keywords, recent events. The first call is a free dry run that counts the matches
    (with breakdowns) — use it to size a market; confirming fetches one page, about one
    credit per business. Prerequisite: explorium_autocomplete for filter values."""
    page = await _explorium(ctx).fetch_businesses(
        args.filters, page=args.page, page_size=args.page_size
    )
    return BusinessResults(
        total=page.total_results,
        page=page.page,
        total_pages=page.total_pages,
        businesses=[b.model_dump(mode="json", exclude_none=True) for b in page.data],
    )


class BusinessEnrich(ToolInput):
    business_ids: list[BusinessId] = Field(..., min_length=1, max_length=50)
    kinds: list[BusinessKind] = Field(["firmographics"], min_length=1, max_length=3)


class Enriched(ToolOutput):
    data: dict[str, dict[str, Any]] = Field(description="Per id, per kind: what was found.")
    not_found: list[str] = Field(default_factory=list)


async def _business_enrich_preview(ctx: ToolContext, args: BusinessEnrich) -> Preview:
    calls = len(set(args.business_ids)) * len(set(args.kinds))
    return Preview(
        summary=f"enrich {len(set(args.business_ids))} business(es) with "
        f"{', '.join(sorted(set(args.kinds)))}: up to {calls} Explorium credit(s)",
    )


@tool(
    toolset="explorium",
    scope="integrations:read",
    flags=EXPLORIUM_SPEND,
    preview=_business_enrich_preview,
)
async def explorium_enrich_businesses(ctx: ToolContext, args: BusinessEnrich) -> Enriched:
    """Company data for up to 50 Explorium business ids: firmographics (size, revenue,
    industry, location), technographics (tech stack) and funding_and_acquisition. Ids come
    from explorium_match_businesses or explorium_search_businesses. About one credit per
    business and kind; the first call is a dry run."""
    client = _explorium(ctx)
    data: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(args.kinds):
        if kind == "firmographics":
            found: dict[str, Any] = await client.bulk_firmographics(args.business_ids)
        elif kind == "technographics":
            found = await client.bulk_technographics(args.business_ids)
        else:
            found = await client.bulk_funding_and_acquisition(args.business_ids)
        for business_id, value in found.items():
            data.setdefault(business_id, {})[kind] = value.model_dump(mode="json")
    missing = [i for i in dict.fromkeys(args.business_ids) if i not in data]
    return Enriched(data=data, not_found=missing)


class ProspectMatch(ToolInput):
    prospects: list[ProspectToMatch] = Field(
        ...,
        min_length=1,
        max_length=50,
        description="Each an email, a LinkedIn URL, or full_name with company_name.",
    )


@tool(toolset="explorium", scope="integrations:read", flags=EXPLORIUM_READ)
async def explorium_match_prospects(ctx: ToolContext, args: ProspectMatch) -> Matches:
    """Explorium prospect ids for up to 50 people by email, LinkedIn URL, or name at a
    company (None when not found). explorium_enrich_prospects takes these ids. Free."""
    found = await _explorium(ctx).match_prospects(args.prospects)
    return Matches(
        matches=[{"input": m.input, "prospect_id": m.prospect_id} for m in found],
    )


class ProspectSearch(ToolInput):
    filters: ProspectFilters = Field(
        description="e.g. business_id (from a business search), job_level, job_department."
    )
    page: int = Field(1, ge=1, le=100)
    page_size: int = Field(25, ge=1, le=100)


class ProspectResults(ToolOutput):
    total: int
    page: int
    total_pages: int
    prospects: list[dict[str, Any]]


async def _prospect_search_preview(ctx: ToolContext, args: ProspectSearch) -> Preview:
    return Preview(
        summary=f"fetch page {args.page} of the matching prospects: up to {args.page_size} "
        f"people for about {args.page_size} Explorium credit(s); no emails (enrich for those)"
    )


@tool(
    toolset="explorium",
    scope="integrations:read",
    flags=EXPLORIUM_SPEND,
    preview=_prospect_search_preview,
)
async def explorium_search_prospects(ctx: ToolContext, args: ProspectSearch) -> ProspectResults:
    """Find people at given businesses (filter business_id) or anywhere, by job level,
    department, title, country or experience. Rows have names, titles and LinkedIn but no
    emails: get those with explorium_enrich_prospects. About one credit per person; the
    first call is a dry run. Prerequisite: explorium_autocomplete for titles."""
    page = await _explorium(ctx).fetch_prospects(
        args.filters, page=args.page, page_size=args.page_size
    )
    return ProspectResults(
        total=page.total_results,
        page=page.page,
        total_pages=page.total_pages,
        prospects=[p.model_dump(mode="json", exclude_none=True) for p in page.data],
    )


class ProspectEnrich(ToolInput):
    prospect_ids: list[ProspectId] = Field(..., min_length=1, max_length=50)
    kinds: list[ProspectKind] = Field(["contacts_information"], min_length=1, max_length=2)


async def _prospect_enrich_preview(ctx: ToolContext, args: ProspectEnrich) -> Preview:
    calls = len(set(args.prospect_ids)) * len(set(args.kinds))
    return Preview(
        summary=f"enrich {len(set(args.prospect_ids))} prospect(s) with "
        f"{', '.join(sorted(set(args.kinds)))}: up to {calls} Explorium credit(s)"
    )


@tool(
    toolset="explorium",
    scope="integrations:read",
    flags=EXPLORIUM_SPEND,
    preview=_prospect_enrich_preview,
)
async def explorium_enrich_prospects(ctx: ToolContext, args: ProspectEnrich) -> Enriched:
    """Details of up to 50 Explorium prospect ids: contacts_information (work and personal
    emails, phones) and profiles (role, seniority, experience). Ids come from
    explorium_match_prospects or explorium_search_prospects. About one credit (contacts:
    more) per prospect and kind; the first call is a dry run."""
    client = _explorium(ctx)
    data: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(args.kinds):
        if kind == "contacts_information":
            found: dict[str, Any] = await client.bulk_contact_information(args.prospect_ids)
        else:
            found = await client.bulk_prospect_profiles(args.prospect_ids)
        for prospect_id, value in found.items():
            data.setdefault(prospect_id, {})[kind] = value.model_dump(mode="json")
    missing = [i for i in dict.fromkeys(args.prospect_ids) if i not in data]
    return Enriched(data=data, not_found=missing)


class EventSearch(ToolInput):
    business_ids: list[BusinessId] = Field(..., min_length=1, max_length=200)
    event_types: list[str] = Field(
        default_factory=lambda: ["new_funding_round", "hiring_in_sales_department"],
        min_length=1,
        description=f"Any of {', '.join(EVENT_TYPES)}.",
    )
    since: datetime | None = None


class Events(ToolOutput):
    events: list[dict[str, Any]]


@tool(toolset="explorium", scope="integrations:read", flags=EXPLORIUM_READ)
async def explorium_get_events(ctx: ToolContext, args: EventSearch) -> Events:
    """Recent events of businesses — funding rounds, hiring in sales or engineering, new
    products, partnerships, offices, awards, cost cutting — since a date: buying signals
    to prioritise accounts and open a message. Free."""
    found = await _explorium(ctx).business_events(
        args.business_ids, args.event_types, timestamp_from=args.since
    )
    return Events(events=[event.model_dump(mode="json") for event in found])
