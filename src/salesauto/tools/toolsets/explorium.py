"""explorium: Explorium's business and prospect data — autocomplete, match, search, enrich,
events — through `ExploriumClient`. Searches and enrichments spend credits, so they run as a
dry run first (a search's dry run counts the matches, which is free). Events tools are in
`explorium_events.py`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from salesauto.integrations.explorium import ExploriumClient
from salesauto.integrations.explorium.schemas import (
    BusinessEnrichment,
    BusinessFilters,
    BusinessToMatch,
    ProspectEnrichment,
    ProspectFilters,
    ProspectToMatch,
)
from salesauto.tools.registry import tool
from salesauto.tools.spec import Preview, ToolContext, ToolFlags, ToolInput, ToolOutput
from salesauto.tools.toolsets.provider_calls import call_provider

EXPLORIUM_READ = ToolFlags(read_only=True, idempotent=True, open_world=True)
EXPLORIUM_SPEND = ToolFlags(read_only=True, idempotent=True, open_world=True, spends_credits=True)
# Explorium's ids are hex digests: a malformed one is refused here, with the field named.
BusinessId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
ProspectId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]
# Ids per tool call: the client splits them into Explorium's calls of 50 (bulk enrich).
MAX_ENRICH_IDS = 200
BUSINESS_KINDS_GUIDE = (
    "firmographics (size, revenue, industry, location); technographics (tech stack by "
    "category); funding_and_acquisition (rounds, investors); workforce_trends (share and "
    "quarterly change of roles by department); financial_indicators (revenue, growth, "
    "EBITDA); company_hierarchies (parent, subsidiaries); company_ratings_by_employees; "
    "company_website_keywords; website_changes (recent site changes and what they imply); "
    "website_traffic (visits, channels); webstack (website technologies); bombora_intent "
    "(topics the company researches); linkedin_posts (company posts); lookalikes (similar "
    "companies with their ids); pc_business_challenges_10k, pc_competitive_landscape_10k, "
    "pc_strategy_10k (insights from 10-K filings: public US companies only)."
)


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
    business_ids: list[BusinessId] = Field(
        ...,
        min_length=1,
        max_length=MAX_ENRICH_IDS,
        description="From explorium_match_businesses or explorium_search_businesses.",
    )
    kinds: list[BusinessEnrichment] = Field(
        ["firmographics"], min_length=1, max_length=17, description=BUSINESS_KINDS_GUIDE
    )


class Enriched(ToolOutput):
    data: dict[str, dict[str, Any]] = Field(description="Per id, per kind: what was found.")
    not_found: list[str] = Field(
        default_factory=list, description="Ids Explorium has no data on for any kind asked."
    )


def _enrich_preview(entity: str, ids: list[str], kinds: list[str]) -> Preview:
    """What an enrichment would spend: about a credit per id and kind, in calls of 50."""
    count, unique_kinds = len(set(ids)), sorted(set(kinds))
    credits = count * len(unique_kinds)
    return Preview(
        summary=f"enrich {count} {entity}(s) with {', '.join(unique_kinds)}: up to "
        f"{credits} Explorium credit(s)",
        details={"credits": credits, "explorium_calls": -(-count // 50) * len(unique_kinds)},
    )


async def _business_enrich_preview(ctx: ToolContext, args: BusinessEnrich) -> Preview:
    return _enrich_preview("business", args.business_ids, list(args.kinds))


@tool(
    toolset="explorium",
    scope="integrations:read",
    flags=EXPLORIUM_SPEND,
    preview=_business_enrich_preview,
)
async def explorium_enrich_businesses(ctx: ToolContext, args: BusinessEnrich) -> Enriched:
    """Company data for up to 200 Explorium business ids, any of Explorium's 17 business
    enrichments (`kinds`: firmographics, technographics, funding, workforce trends, web
    traffic, intent topics, lookalikes, 10-K insights…). Use it to qualify accounts and to
    find a reason to reach out. Ids come from explorium_match_businesses or
    explorium_search_businesses. Costs about one Explorium credit per business and kind;
    the first call is a free dry run that states the credits."""
    client = _explorium(ctx)
    data: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(args.kinds):
        found = await client.bulk_enrich_businesses(kind, args.business_ids)
        for business_id, value in found.items():
            data.setdefault(business_id, {})[kind] = value
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
    prospect_ids: list[ProspectId] = Field(
        ...,
        min_length=1,
        max_length=MAX_ENRICH_IDS,
        description="From explorium_match_prospects or explorium_search_prospects.",
    )
    kinds: list[ProspectEnrichment] = Field(
        ["contacts_information"],
        min_length=1,
        max_length=3,
        description="contacts_information (work and personal emails, phones); profiles "
        "(role, seniority, department, experience); linkedin_posts (the person's recent "
        "posts: openers for a message).",
    )


async def _prospect_enrich_preview(ctx: ToolContext, args: ProspectEnrich) -> Preview:
    return _enrich_preview("prospect", args.prospect_ids, list(args.kinds))


@tool(
    toolset="explorium",
    scope="integrations:read",
    flags=EXPLORIUM_SPEND,
    preview=_prospect_enrich_preview,
)
async def explorium_enrich_prospects(ctx: ToolContext, args: ProspectEnrich) -> Enriched:
    """Details of up to 200 Explorium prospect ids: contacts_information (emails, phones),
    profiles (role, seniority, experience) and linkedin_posts (recent posts). Ids come from
    explorium_match_prospects or explorium_search_prospects. About one credit (contacts:
    more) per prospect and kind; the first call is a free dry run that states the credits."""
    client = _explorium(ctx)
    data: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(args.kinds):
        found = await client.bulk_enrich_prospects(kind, args.prospect_ids)
        for prospect_id, value in found.items():
            data.setdefault(prospect_id, {})[kind] = value
    missing = [i for i in dict.fromkeys(args.prospect_ids) if i not in data]
    return Enriched(data=data, not_found=missing)
