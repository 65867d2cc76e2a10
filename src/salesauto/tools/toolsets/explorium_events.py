"""explorium: business and prospect events — buying signals (funding, hiring, new products…)
and job moves — through `ExploriumClient`, which splits ids into Explorium's calls of 40."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from salesauto.integrations.explorium.schemas import BUSINESS_EVENT_TYPES, ProspectEventType
from salesauto.tools.registry import tool
from salesauto.tools.spec import ToolContext, ToolInput, ToolOutput
from salesauto.tools.toolsets.explorium import EXPLORIUM_READ, BusinessId, ProspectId

# Ids per tool call; the client asks Explorium for 40 at a time.
MAX_EVENT_IDS = 200
SIGNALS = (
    "new_funding_round, new_product, new_partnership, new_office, hiring_in_sales_department, "
    "hiring_in_engineering_department, increase_in_sales_department, employee_joined_company, "
    "company_award, cost_cutting, merger_and_acquisitions, ipo_announcement"
)


def _known_business_events(values: list[str]) -> list[str]:
    unknown = sorted(set(values) - set(BUSINESS_EVENT_TYPES))
    if unknown:
        raise ValueError(
            f"unknown event types {', '.join(unknown)}; use Explorium's, e.g. {SIGNALS}"
        )
    return values


class Window(ToolInput):
    since: datetime | None = Field(None, description="Only events at or after this moment.")
    until: datetime | None = Field(None, description="Only events at or before this moment.")


class BusinessEventSearch(Window):
    business_ids: list[BusinessId] = Field(
        ...,
        min_length=1,
        max_length=MAX_EVENT_IDS,
        description="From explorium_match_businesses or explorium_search_businesses.",
    )
    event_types: Annotated[list[str], AfterValidator(_known_business_events)] = Field(
        default_factory=lambda: ["new_funding_round", "hiring_in_sales_department"],
        min_length=1,
        max_length=len(BUSINESS_EVENT_TYPES),
        description=f"Any of Explorium's 39 business event types, e.g. {SIGNALS}.",
    )


class BusinessEventView(ToolOutput):
    event_id: str
    business_id: str | None
    type: str
    occurred_at: datetime
    data: dict[str, Any] = Field(description="Event details, e.g. round, amount, investors.")


class BusinessEvents(ToolOutput):
    events: list[BusinessEventView]


@tool(toolset="explorium", scope="integrations:read", flags=EXPLORIUM_READ)
async def explorium_business_events(ctx: ToolContext, args: BusinessEventSearch) -> BusinessEvents:
    """Recent events of up to 200 businesses — funding rounds, hiring by department,
    headcount changes, new products, partnerships, offices, awards, cost cutting, M&A —
    optionally within a time window: buying signals to prioritise accounts and to open a
    message. Ids come from explorium_match_businesses. Asked 40 businesses per Explorium
    call; reading events spends no credits."""
    found = await ctx.platform.integrations.explorium.business_events(
        args.business_ids, args.event_types, timestamp_from=args.since, timestamp_to=args.until
    )
    return BusinessEvents(
        events=[
            BusinessEventView(
                event_id=e.event_id,
                business_id=e.provider_company_id,
                type=e.type,
                occurred_at=e.occurred_at,
                data=dict(e.data),
            )
            for e in found
        ]
    )


class ProspectEventSearch(Window):
    prospect_ids: list[ProspectId] = Field(
        ...,
        min_length=1,
        max_length=MAX_EVENT_IDS,
        description="From explorium_match_prospects or explorium_search_prospects.",
    )
    event_types: list[ProspectEventType] = Field(
        ["prospect_changed_role", "prospect_changed_company"],
        min_length=1,
        max_length=3,
        description="prospect_changed_role, prospect_changed_company, "
        "prospect_job_start_anniversary.",
    )


class ProspectEventView(ToolOutput):
    event_id: str
    prospect_id: str | None
    type: str
    occurred_at: datetime
    data: dict[str, Any] = Field(
        description="Current and previous company and title, or the anniversary's years."
    )


class ProspectEvents(ToolOutput):
    events: list[ProspectEventView]


@tool(toolset="explorium", scope="integrations:read", flags=EXPLORIUM_READ)
async def explorium_prospect_events(ctx: ToolContext, args: ProspectEventSearch) -> ProspectEvents:
    """Job moves of up to 200 prospects: a new role, a new company (with the previous one),
    or a work anniversary, optionally within a time window. A new role or employer is the
    moment to reach out again; a champion who moved is a new account. Ids come from
    explorium_match_prospects. Asked 40 prospects per Explorium call; reading events spends
    no credits."""
    found = await ctx.platform.integrations.explorium.prospect_events(
        args.prospect_ids,
        list(args.event_types),
        timestamp_from=args.since,
        timestamp_to=args.until,
    )
    return ProspectEvents(
        events=[
            ProspectEventView(
                event_id=e.event_id,
                prospect_id=e.prospect_id,
                type=e.event_name,
                occurred_at=e.event_time,
                data=e.data,
            )
            for e in found
        ]
    )
