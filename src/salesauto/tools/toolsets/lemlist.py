"""lemlist: the team, campaigns and their sequences, through `LemlistClient`; leads and
activities are in `lemlist_leads.py`.

Adding leads to a campaign and starting one send email: both run as a dry run first, and
addresses on our suppression list are never added. Enrolling our own stored contacts with
the platform's caps and checks is `campaigns_enroll`; these tools act on lemlist directly.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import Field

from salesauto.integrations.lemlist import LemlistClient
from salesauto.integrations.lemlist.schemas import (
    CampaignCreate,
    CampaignDetail,
    SequenceStepCreate,
)
from salesauto.kit.errors import InvalidInput
from salesauto.kit.time import utcnow
from salesauto.tools.registry import tool
from salesauto.tools.spec import (
    PageInput,
    Preview,
    ToolContext,
    ToolFlags,
    ToolInput,
    ToolOutput,
)
from salesauto.tools.toolsets.provider_calls import call_provider

LEMLIST_READ = ToolFlags(read_only=True, idempotent=True, open_world=True)
LEMLIST_WRITE = ToolFlags(open_world=True)
LEMLIST_SEND = ToolFlags(open_world=True, sends_outreach=True)
LEMLIST_SWITCH = ToolFlags(destructive=True, open_world=True, sends_outreach=True)
LEMLIST_DELETE = ToolFlags(destructive=True, open_world=True)
CampaignId = Annotated[
    str, Field(min_length=1, max_length=64, description="From lemlist_list_campaigns.")
]


def lemlist_client(ctx: ToolContext) -> LemlistClient:
    return ctx.platform.integrations.lemlist


def page_offset(cursor: str | None) -> int:
    if cursor is not None and not cursor.isdigit():
        raise InvalidInput("cursor must be the next_cursor of a previous page", field="cursor")
    return int(cursor) if cursor else 0


class NoArguments(ToolInput):
    pass


class Team(ToolOutput):
    team: dict[str, Any] = Field(description="Team id, name, members and plan as lemlist says.")


@tool(toolset="lemlist", scope="integrations:read", flags=LEMLIST_READ)
async def lemlist_get_team(ctx: ToolContext, args: NoArguments) -> Team:
    """The lemlist team the key belongs to: name, members and plan details. Call it to
    confirm which lemlist account the tools act on. Free."""
    return Team(team=await call_provider(ctx, "lemlist", "GET", "team"))


# Campaigns --------------------------------------------------------------------------------------


class CampaignSearch(PageInput):
    status: Literal["running", "draft", "paused", "ended", "archived", "errors"] | None = None


class CampaignView(ToolOutput):
    id: str
    name: str
    status: str | None
    created_at: datetime | None
    errors: list[str] = Field(default_factory=list)


class CampaignPage(ToolOutput):
    campaigns: list[CampaignView]
    next_cursor: str | None = None


@tool(toolset="lemlist", scope="integrations:read", flags=LEMLIST_READ)
async def lemlist_list_campaigns(ctx: ToolContext, args: CampaignSearch) -> CampaignPage:
    """lemlist campaigns, oldest first, optionally by status (running, draft, paused…).
    Use it to find a campaign id. Free."""
    limit = min(args.limit, 100)
    offset = page_offset(args.cursor)
    found = await lemlist_client(ctx).list_campaigns(status=args.status, limit=limit, offset=offset)
    return CampaignPage(
        campaigns=[
            CampaignView(
                id=c.id, name=c.name, status=c.status, created_at=c.created_at, errors=c.errors
            )
            for c in found
        ],
        next_cursor=str(offset + len(found)) if len(found) == limit else None,
    )


class CampaignRef(ToolInput):
    campaign_id: CampaignId


class CampaignFull(ToolOutput):
    id: str
    name: str
    status: str | None
    sequence_id: str | None = Field(description="Pass to lemlist_update_sequence.")
    senders: list[str]
    leads_by_state: dict[str, int] = Field(description="Of its first 500 leads.")
    errors: list[str] = Field(default_factory=list)


async def _campaign_full(ctx: ToolContext, campaign_id: str) -> CampaignFull:
    client = lemlist_client(ctx)
    detail: CampaignDetail = await client.get_campaign(campaign_id)
    states: dict[str, int] = {}
    for lead in await client.list_campaign_leads(campaign_id, limit=500):
        states[lead.state or "unknown"] = states.get(lead.state or "unknown", 0) + 1
    extra = detail.model_extra or {}
    return CampaignFull(
        id=detail.id,
        name=detail.name,
        status=detail.status,
        sequence_id=extra.get("sequenceId"),
        senders=[s.email or s.id or "?" for s in detail.senders],
        leads_by_state=states,
        errors=detail.errors,
    )


@tool(toolset="lemlist", scope="integrations:read", flags=LEMLIST_READ)
async def lemlist_get_campaign(ctx: ToolContext, args: CampaignRef) -> CampaignFull:
    """One lemlist campaign: status, sequence id, sending mailboxes and how many leads are
    in each state. Free."""
    return await _campaign_full(ctx, args.campaign_id)


class StatsRequest(CampaignRef):
    since: datetime | None = Field(None, description="Default: 90 days ago.")
    until: datetime | None = Field(None, description="Default: now.")


class Stats(ToolOutput):
    stats: dict[str, Any] = Field(description="Lead counts, messages and per-step counts.")


@tool(toolset="lemlist", scope="integrations:read", flags=LEMLIST_READ)
async def lemlist_get_campaign_stats(ctx: ToolContext, args: StatsRequest) -> Stats:
    """A campaign's results between two dates: leads reached, opened, replied, interested
    and unsubscribed, messages sent and bounced, and the same per sequence step. Free."""
    until = args.until or utcnow()
    since = args.since or until - timedelta(days=90)
    stats = await lemlist_client(ctx).campaign_stats(args.campaign_id, start=since, end=until)
    return Stats(
        stats=stats.model_dump(mode="json", exclude={"steps"})
        | {"steps": [step.model_dump(mode="json") for step in stats.steps]}
    )


class Step(ToolInput):
    type: Literal["email", "linkedinSend", "linkedinVisit", "phone", "manual"] = "email"
    subject: str | None = Field(None, max_length=500, description="Needed for email steps.")
    message: str = Field(..., min_length=1, max_length=20_000, description="{{firstName}} etc.")
    delay_days: int | None = Field(None, ge=0, le=90, description="After the previous step.")


def _step_body(step: Step) -> SequenceStepCreate:
    return SequenceStepCreate(
        type=step.type, delay=step.delay_days, subject=step.subject, message=step.message
    )


class CampaignDraft(ToolInput):
    campaign_name: str = Field(..., min_length=1, max_length=200)
    timezone: str | None = Field(None, description="IANA zone of the send schedule.")
    steps: list[Step] = Field(default_factory=list, max_length=20)


class CampaignCreated(ToolOutput):
    id: str
    sequence_id: str
    step_ids: list[str]
    status: str | None


@tool(toolset="lemlist", scope="integrations:write", flags=LEMLIST_WRITE)
async def lemlist_create_campaign(ctx: ToolContext, args: CampaignDraft) -> CampaignCreated:
    """Create a lemlist campaign as a draft, with its sequence steps in order. Nothing is
    sent: add leads with lemlist_upsert_leads, check with lemlist_validate_campaign, then
    start it with lemlist_set_campaign_state. Free."""
    client = lemlist_client(ctx)
    created = await client.create_campaign(
        CampaignCreate(name=args.campaign_name, timezone=args.timezone)
    )
    steps = [await client.add_sequence_step(created.sequence_id, _step_body(s)) for s in args.steps]
    return CampaignCreated(
        id=created.id,
        sequence_id=created.sequence_id,
        step_ids=[step.id for step in steps],
        status=created.state,
    )


class SequenceSteps(ToolInput):
    sequence_id: str = Field(..., min_length=1, max_length=64, description="lemlist_get_campaign.")
    steps: list[Step] = Field(..., min_length=1, max_length=20)


class StepsAdded(ToolOutput):
    step_ids: list[str]


@tool(toolset="lemlist", scope="integrations:write", flags=LEMLIST_WRITE)
async def lemlist_update_sequence(ctx: ToolContext, args: SequenceSteps) -> StepsAdded:
    """Append steps to a campaign's sequence (email, LinkedIn, call or manual), each
    `delay_days` after the previous one. Leads already past the end get the new steps when
    the campaign runs. Free."""
    client = lemlist_client(ctx)
    added = [await client.add_sequence_step(args.sequence_id, _step_body(s)) for s in args.steps]
    return StepsAdded(step_ids=[step.id for step in added])


class Readiness(ToolOutput):
    ready: bool
    problems: list[str] = Field(description="What to fix before starting it.")
    campaign: CampaignFull


def _problems(campaign: CampaignFull) -> list[str]:
    problems = [f"lemlist reports: {error}" for error in campaign.errors]
    if not campaign.senders:
        problems.append("no sending mailbox: connect one in lemlist's campaign settings")
    if not campaign.leads_by_state:
        problems.append("no leads: add some with lemlist_upsert_leads")
    if campaign.status in ("archived", "ended"):
        problems.append(f"the campaign is {campaign.status}")
    return problems


@tool(toolset="lemlist", scope="integrations:read", flags=LEMLIST_READ)
async def lemlist_validate_campaign(ctx: ToolContext, args: CampaignRef) -> Readiness:
    """Check whether a campaign can start: a sending mailbox, leads, no errors lemlist
    reports, not archived. Run it before lemlist_set_campaign_state start. Free."""
    campaign = await _campaign_full(ctx, args.campaign_id)
    problems = _problems(campaign)
    return Readiness(ready=not problems, problems=problems, campaign=campaign)


class StateChange(CampaignRef):
    state: Literal["start", "pause", "resume"]


class StateChanged(ToolOutput):
    id: str
    state: str


async def _state_preview(ctx: ToolContext, args: StateChange) -> Preview:
    campaign = await _campaign_full(ctx, args.campaign_id)
    leads = sum(campaign.leads_by_state.values())
    if args.state == "pause":
        summary = f"pause lemlist campaign {campaign.name!r}: no more emails until resumed"
    else:
        summary = (
            f"{args.state} lemlist campaign {campaign.name!r}: emails go out to its {leads} "
            f"lead(s) on the sequence's schedule"
        )
    return Preview(
        summary=summary, details={"problems": _problems(campaign), "status": campaign.status}
    )


@tool(toolset="lemlist", scope="campaigns:write", flags=LEMLIST_SWITCH, preview=_state_preview)
async def lemlist_set_campaign_state(ctx: ToolContext, args: StateChange) -> StateChanged:
    """Start, pause or resume a lemlist campaign. Starting sends real email to its leads:
    it is refused while lemlist_validate_campaign reports problems, and the first call is a
    dry run returning a confirm_token. Free (sends email)."""
    client = lemlist_client(ctx)
    if args.state == "pause":
        done = await client.pause_campaign(args.campaign_id)
    else:
        problems = _problems(await _campaign_full(ctx, args.campaign_id))
        if problems:
            raise InvalidInput(
                "the campaign is not ready to start: " + "; ".join(problems), field="campaign_id"
            )
        done = await client.start_campaign(args.campaign_id)
    return StateChanged(id=done.id, state=done.state)
