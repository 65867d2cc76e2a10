"""lemlist: its People and Companies database (lemleads) — find prospects and accounts by
title, seniority, department, country, company size, industry or technology.

Searches spend no credits but count against lemlist's daily database-search allowance (each
answer says how many are left); rows carry no emails (lemlist's enrichment, or Explorium's,
finds those).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from salesauto.integrations.lemlist.schemas import DatabaseFilter, DatabasePage
from salesauto.tools.registry import tool
from salesauto.tools.spec import ToolContext, ToolInput, ToolOutput
from salesauto.tools.toolsets.lemlist import LEMLIST_READ, NoArguments, lemlist_client


class FilterView(ToolOutput):
    filter_id: str
    description: str | None
    applies_to: list[str] = Field(description="leads (people search) and/or companies.")
    type: str | None = Field(description="text, autocomplete, select or slider.")
    values: list[str] | None = Field(description="For select filters: the only values taken.")
    helper: str | None = None


class Filters(ToolOutput):
    filters: list[FilterView]


@tool(toolset="lemlist", scope="integrations:read", flags=LEMLIST_READ)
async def lemlist_database_filters(ctx: ToolContext, args: NoArguments) -> Filters:
    """The filters lemlist's People and Companies database searches accept: each filter's
    id, whether it applies to people (leads) or companies, and for select filters (seniority,
    department, company size…) the exact values allowed. Call it before lemlist_search_people
    or lemlist_search_companies. Free, and uses no search allowance."""
    found = await lemlist_client(ctx).database_filters()
    return Filters(
        filters=[
            FilterView(
                filter_id=f.filter_id,
                description=f.description,
                applies_to=f.mode,
                type=f.type,
                values=f.values,
                helper=f.helper or None,
            )
            for f in found
        ]
    )


class FilterArg(ToolInput):
    filter_id: str = Field(
        ..., min_length=1, max_length=64, description="From lemlist_database_filters."
    )
    include: list[str] = Field(
        default_factory=list, max_length=50, description="Any of these values matches."
    )
    exclude: list[str] = Field(
        default_factory=list, max_length=50, description="None of these values may match."
    )


class DatabaseSearch(ToolInput):
    filters: list[FilterArg] = Field(
        ...,
        min_length=1,
        max_length=20,
        description="All must match, e.g. [{filter_id: country, include: [France]}, "
        "{filter_id: seniority, include: [CxO, Vice President]}].",
    )
    search: str | None = Field(
        None, max_length=200, description="Free text across names, titles, companies, places."
    )
    page: int = Field(1, ge=1, le=100)
    size: int = Field(25, ge=1, le=100, description="Rows per page.")


class DatabaseResults(ToolOutput):
    total: int = Field(description="Matches in lemlist's database.")
    page: int
    size: int
    searches_left: int | None = Field(
        description="Database searches the team has left for the current 24 hours."
    )
    results: list[dict[str, Any]]


def _filters(args: DatabaseSearch) -> list[DatabaseFilter]:
    return [
        DatabaseFilter(filter_id=f.filter_id, include=f.include, exclude=f.exclude)
        for f in args.filters
    ]


def _results(page: DatabasePage, size: int) -> DatabaseResults:
    return DatabaseResults(
        total=page.total,
        page=page.page,
        size=page.size or size,
        searches_left=page.limitation,
        results=page.results,
    )


@tool(toolset="lemlist", scope="integrations:read", flags=LEMLIST_READ)
async def lemlist_search_people(ctx: ToolContext, args: DatabaseSearch) -> DatabaseResults:
    """Find people in lemlist's People database by current title, seniority, department,
    country, company, company size, industry or technologies. Rows give name, title,
    company, location and LinkedIn URL, but no email. Prerequisite: filter ids and select
    values from lemlist_database_filters. No credits, but each call uses one of the team's
    daily database searches (the answer says how many are left)."""
    page = await lemlist_client(ctx).search_database(
        "people", _filters(args), page=args.page, size=args.size, search=args.search
    )
    return _results(page, args.size)


@tool(toolset="lemlist", scope="integrations:read", flags=LEMLIST_READ)
async def lemlist_search_companies(ctx: ToolContext, args: DatabaseSearch) -> DatabaseResults:
    """Find companies in lemlist's Companies database by name, website, country, size,
    industry, technologies used or keyword: domain, headcount, industry and tech stack per
    row. Use it to build an account list, then lemlist_search_people with
    currentCompanyByIds for the people there. Prerequisite: lemlist_database_filters. No
    credits, but each call uses one of the team's daily database searches."""
    page = await lemlist_client(ctx).search_database(
        "companies", _filters(args), page=args.page, size=args.size, search=args.search
    )
    return _results(page, args.size)
